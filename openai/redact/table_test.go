package redact_test

import (
	"strings"
	"testing"

	"github.com/reachkit/reachkit/openai/redact"
)

// want is a value a case expects to be found.
type want struct {
	kind  redact.Kind
	value string
}

type tableCase struct {
	text string
	want []want // nil: nothing is PII
}

func email(v string) want  { return want{redact.Email, v} }
func phone(v string) want  { return want{redact.Phone, v} }
func card(v string) want   { return want{redact.Card, v} }
func iban(v string) want   { return want{redact.IBAN, v} }
func secret(v string) want { return want{redact.Secret, v} }

// Test keys, built so that no scanner takes this file for a leak.
var (
	keyProj   = "sk-" + "proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78"
	keyLegacy = "sk-" + "1234567890abcdefghijABCDEFGHIJklmnopqrst"
	keySvc    = "sk-" + "svcacct-0aB1cD2eF3gH4iJ5kL6mN7oP8_qR9"
	keyBrevo  = "xkeysib-" + strings.Repeat("0123456789abcdef", 4) + "-AbCdEfGh12345678"
)

// table holds positive and negative cases. Every value of a positive case is
// listed once, however often it occurs.
var table = []tableCase{
	// E-mail addresses.
	{"Contact jane.doe@example.com for details.", []want{email("jane.doe@example.com")}},
	{"电子邮件 zhang.wei@example.cn 请联系", []want{email("zhang.wei@example.cn")}},
	{"电子邮件：zhang.wei@example.cn。", []want{email("zhang.wei@example.cn")}},
	{"请发邮件到li.na+news@mail.example.com.cn谢谢", []want{email("li.na+news@mail.example.com.cn")}},
	{"कृपया संपर्क करें raj@example.in पर", []want{email("raj@example.in")}},
	{"ईमेल: priya.sharma@example.co.in। धन्यवाद", []want{email("priya.sharma@example.co.in")}},
	{`<a href="mailto:jane@example.com">jane@example.com</a>`, []want{email("jane@example.com")}},
	{`<p>Email: <b>tom@example.fr</b></p>`, []want{email("tom@example.fr")}},
	{"Write to jane@example.com.", []want{email("jane@example.com")}},
	{"(bob_smith-1@sub.example.org)", []want{email("bob_smith-1@sub.example.org")}},
	{`{"to": "ceo@example.io", "cc": []}`, []want{email("ceo@example.io")}},
	{"Reply to <support@example-shop.de>!", []want{email("support@example-shop.de")}},
	{"Email JANE@EXAMPLE.COM? Anyone?", []want{email("JANE@EXAMPLE.COM")}},
	{"a@b.co", []want{email("a@b.co")}},
	{"Send it to first.last@xn--mnchen-3ya.de today", []want{email("first.last@xn--mnchen-3ya.de")}},
	{"Two: a.b@example.com, c.d@example.net", []want{email("a.b@example.com"), email("c.d@example.net")}},
	{"jane@example.com and again jane@example.com", []want{email("jane@example.com")}},
	{"&lt;jane@example.com&gt;", []want{email("jane@example.com")}},
	{"Ping +4915112345678@s.whatsapp.net now", []want{email("+4915112345678@s.whatsapp.net")}},

	// Phone numbers.
	{"+4915112345678", []want{phone("+4915112345678")}},
	{"Call +49 151 12345678 today", []want{phone("+49 151 12345678")}},
	{"Call +1 (415) 555-0132.", []want{phone("+1 (415) 555-0132")}},
	{"Call +1(415)555-0132.", []want{phone("+1(415)555-0132")}},
	{"Call +1-415-555-0132", []want{phone("+1-415-555-0132")}},
	{"Office: (415) 555-0132", []want{phone("(415) 555-0132")}},
	{"Office: 415-555-0132, ext. 12", []want{phone("415-555-0132")}},
	{"Office: 415.555.0132.", []want{phone("415.555.0132")}},
	{"Office: 415 555 0132", []want{phone("415 555 0132")}},
	{"Toll-free 1-800-555-0199!", []want{phone("1-800-555-0199")}},
	{"London +44 20 7946 0958", []want{phone("+44 20 7946 0958")}},
	{"London +44 (0)20 7946 0958", []want{phone("+44 (0)20 7946 0958")}},
	{"London 020 7946 0958", []want{phone("020 7946 0958")}},
	{"Tel.:020 7946 0958", []want{phone("020 7946 0958")}},
	{"Mobile 07700 900123.", []want{phone("07700 900123")}},
	{"Berlin 030 12345678", []want{phone("030 12345678")}},
	{"Berlin 030/12345678", []want{phone("030/12345678")}},
	{"Berlin (030) 12345678", []want{phone("(030) 12345678")}},
	{"Berlin +49 30 12345678", []want{phone("+49 30 12345678")}},
	{"Handy 0151 12345678", []want{phone("0151 12345678")}},
	{"Paris 01 23 45 67 89", []want{phone("01 23 45 67 89")}},
	{"Paris 01.23.45.67.89", []want{phone("01.23.45.67.89")}},
	{"Paris +33 1 23 45 67 89", []want{phone("+33 1 23 45 67 89")}},
	{"Paris 01\u00a023\u00a045\u00a067\u00a089.", []want{phone("01\u00a023\u00a045\u00a067\u00a089")}},
	{"Paris +33\u202f1\u202f23\u202f45\u202f67\u202f89", []want{phone("+33\u202f1\u202f23\u202f45\u202f67\u202f89")}},
	{"Mumbai +91 98765 43210", []want{phone("+91 98765 43210")}},
	{"Mumbai 098765 43210", []want{phone("098765 43210")}},
	{"Mumbai 98765 43210", []want{phone("98765 43210")}},
	{"फ़ोन +91 98765 43210 पर कॉल करें", []want{phone("+91 98765 43210")}},
	{"Beijing 138 0013 8000", []want{phone("138 0013 8000")}},
	{"Beijing +86 138-0013-8000", []want{phone("+86 138-0013-8000")}},
	{"请拨打13800138000联系我们", []want{phone("13800138000")}},
	{"电话：+86 138 0013 8000。", []want{phone("+86 138 0013 8000")}},
	{"Call 020 7946 0958 24/7", []want{phone("020 7946 0958")}},

	// Card numbers.
	{"Card 4111 1111 1111 1111 on file", []want{card("4111 1111 1111 1111")}},
	{"Card 4111-1111-1111-1111", []want{card("4111-1111-1111-1111")}},
	{"Card 4111111111111111.", []want{card("4111111111111111")}},
	{"MC 5500 0000 0000 0004", []want{card("5500 0000 0000 0004")}},
	{"Amex 3782 822463 10005", []want{card("3782 822463 10005")}},
	{"Discover 6011111111111117", []want{card("6011111111111117")}},
	{"MC 5555-5555-5555-4444", []want{card("5555-5555-5555-4444")}},
	{"MC 2223 0031 2200 3222", []want{card("2223 0031 2200 3222")}},
	{"Visa 4222222222222", []want{card("4222222222222")}},
	{"卡号4539578763621486请保密", []want{card("4539578763621486")}},
	{"कार्ड 4242 4242 4242 4242 है", []want{card("4242 4242 4242 4242")}},
	{"card: 3530111333300000.", []want{card("3530111333300000")}},
	{"Diners 36227206271667", []want{card("36227206271667")}},

	// IBANs.
	{"IBAN DE89 3704 0044 0532 0130 00", []want{iban("DE89 3704 0044 0532 0130 00")}},
	{"IBAN DE89370400440532013000.", []want{iban("DE89370400440532013000")}},
	{"IBAN GB29 NWBK 6016 1331 9268 19", []want{iban("GB29 NWBK 6016 1331 9268 19")}},
	{"IBAN FR14 2004 1010 0505 0001 3M02 606 please", []want{iban("FR14 2004 1010 0505 0001 3M02 606")}},
	{"IBAN NL91ABNA0417164300", []want{iban("NL91ABNA0417164300")}},
	{"IBAN: ES91 2100 0418 4502 0005 1332.", []want{iban("ES91 2100 0418 4502 0005 1332")}},
	{"CH9300762011623852957", []want{iban("CH9300762011623852957")}},
	{"Konto BE68 5390 0754 7034, danke", []want{iban("BE68 5390 0754 7034")}},
	{"Konto NO93 8601 1117 947", []want{iban("NO93 8601 1117 947")}},
	{"账户 IT60X0542811101000000123456 收款", []want{iban("IT60X0542811101000000123456")}},
	{"IE29 AIBK 9311 5212 3456 78", []want{iban("IE29 AIBK 9311 5212 3456 78")}},

	// Secrets.
	{"key " + keyProj, []want{secret(keyProj)}},
	{"OPENAI_API_KEY=" + keyLegacy, []want{secret(keyLegacy)}},
	{"Authorization: Bearer " + keySvc, []want{secret(keySvc)}},
	{`{"api-key": "` + keyBrevo + `"}`, []want{secret(keyBrevo)}},
	{"https://example.com/hook?token=" + keyProj + "&x=1", []want{secret(keyProj)}},

	// Several kinds in one text.
	{"Jane (jane@example.com, +44 7700 900123) paid with 4111 1111 1111 1111.",
		[]want{email("jane@example.com"), phone("+44 7700 900123"), card("4111 1111 1111 1111")}},
	{"客户张伟，邮箱 zhang.wei@example.cn，电话 138 0013 8000，IBAN DE89370400440532013000。",
		[]want{email("zhang.wei@example.cn"), phone("138 0013 8000"), iban("DE89370400440532013000")}},
	{"ग्राहक raj@example.in, फ़ोन 098765 43210, कार्ड 4111-1111-1111-1111",
		[]want{email("raj@example.in"), phone("098765 43210"), card("4111-1111-1111-1111")}},

	// Not PII.
	{"Order #123456 shipped.", nil},
	{"Order number 100234567 is on its way", nil},
	{"Meeting on 2026-11-23 at 14:05.", nil},
	{"Created 2026-11-23T14:05:00Z", nil},
	{"Created 2026-11-23 14:05:00", nil},
	{"Price $1,299.00 only", nil},
	{"Preis 1.299,00 €", nil},
	{"ISBN 978-3-16-148410-0", nil},
	{"ISBN 0-306-40615-2", nil},
	{"ISBN 9783161484100", nil},
	{"Card-like 4111 1111 1111 1112", nil},
	{"Reference 1234 5678 9012 3456", nil},
	{"Reference 1234567890123456", nil},
	{"Test 4242424242424241 fails Luhn", nil},
	{"Test 5500 0000 0000 0005 fails Luhn", nil},
	{"卡号4111111111111112无效", nil},
	{"timestamp 1731234567890", nil},
	{"epoch 1731234567", nil},
	{"Version 1.2.3 released", nil},
	{"IP 192.168.100.200", nil},
	{"Call me at extension 4567", nil},
	{"Short 555-0132", nil},
	{"ZIP 94107", nil},
	{"Pi is 3.14159265358979", nil},
	{"EAN 4006381333931", nil},
	{"GTIN 00012345600012", nil},
	{"Serial 0000 0000 0000", nil},
	{"Follow @jane on social", nil},
	{"Login user@localhost", nil},
	{"Mail jane@example", nil},
	{"Email me at jane at example dot com", nil},
	{"Encoded jane%40example.com", nil},
	{"IBAN DE89 3704 0044 0532 0130 01", nil},
	{"IBAN DE89 3704 0044 0532 0130", nil},
	{"XX89370400440532013000", nil},
	{"IN12345678901234567890", nil},
	{"de89370400440532013000", nil},
	{"sk-short", nil},
	{"task-1234567890abcdefghijklmnop", nil},
	{"sk-this-is-a-long-slug-without-any-digits", nil},
	{"risk-free-123456789012345678901234", nil},
	{"订单号 #20261123001", nil},
	{"订单号20261123001已发货", nil},
	{"आदेश संख्या 123456 है", nil},
	{"日期 2026-11-23 时间 14:05", nil},
	{"Room 101, floor 12", nil},
	{"Population 1,000,000", nil},
	{"The years 2026 and 2027", nil},
	{"Date 12/25/2026", nil},
	{"Date 25.12.2026", nil},
	{"Placeholder [EMAIL_1] typed by a user", nil},
	{"UUID 123e4567-e89b-12d3-a456-426614174000", nil},
	{"Color #FF5733", nil},
	{"Tracking 1Z999AA10123456784", nil},
	{"Amount 12 500 000", nil},
	{"Montant 1\u202f299,00\u00a0€", nil},
	{"Coordinates 48.8566, 2.3522", nil},
	{"Chapter 3.2.1.4", nil},
	{"Invoice INV-2026-000123", nil},
	{"Spring sale: 20% off all running shoes until March 31!", nil},
}

func TestTable(t *testing.T) {
	r := redact.New()
	var tp, fp, fn, positives, negatives int
	for _, c := range table {
		if c.want == nil {
			negatives++
		} else {
			positives++
		}
		out, s := r.Redact(c.text)
		got := map[want]bool{}
		for _, f := range s.Findings() {
			got[want{f.Kind, f.Original}] = true
		}
		wanted := map[want]bool{}
		for _, w := range c.want {
			wanted[w] = true
			if got[w] {
				tp++
			} else {
				fn++
				t.Errorf("%q: missed %s %q; found %v", c.text, w.kind, w.value, s.Findings())
			}
			if strings.Contains(out, w.value) {
				t.Errorf("%q: %q still in %q", c.text, w.value, out)
			}
		}
		for g := range got {
			if !wanted[g] {
				fp++
				t.Errorf("%q: wrongly found %s %q", c.text, g.kind, g.value)
			}
		}
		if back := s.Restore(out); back != c.text {
			t.Errorf("%q: round trip gave %q", c.text, back)
		}
		if c.want == nil && out != c.text {
			t.Errorf("%q: changed to %q", c.text, out)
		}
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	t.Logf("table: %d cases (%d positive, %d negative), %d values: precision %.3f (%d/%d), recall %.3f (%d/%d)",
		len(table), positives, negatives, tp+fn, precision, tp, tp+fp, recall, tp, tp+fn)
	if len(table) < 100 {
		t.Errorf("table has %d cases, want at least 100", len(table))
	}
	if precision != 1 || recall != 1 {
		t.Errorf("precision %.3f, recall %.3f; want 1 and 1", precision, recall)
	}
}
