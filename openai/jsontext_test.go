package openai

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/reachkit/reachkit/internal/transport"
)

func encodeNoEscape(s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `"quoted" \ back`, "<b>Tom & Jerry</b>", "tab\tnl\ncr\r\b\f\x00\x1f\x7f",
		"é ü 日本 🏃", "\u2028\u2029", "bad \xff\xfe utf8 \xed\xa0\x80", strings.Repeat("a", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := marshalString(s), encodeNoEscape(s); !bytes.Equal(got, want) {
			t.Fatalf("marshalString(%q) = %s, encoding/json says %s", s, got, want)
		}
	})
}

func TestContentNotHTMLEscaped(t *testing.T) {
	for _, v := range []any{
		UserMessage("<b>Tom & Jerry</b>"),
		UserMessageParts(TextPart("<b>Tom & Jerry</b>")),
		TextInput("<b>Tom & Jerry</b>"),
		InputMessage(RoleUser, "<b>Tom & Jerry</b>"),
		InputMessageParts(RoleUser, InputText("<b>Tom & Jerry</b>")),
	} {
		b, err := transport.EncodeJSON(v, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte("<b>Tom & Jerry</b>")) {
			t.Errorf("%T encodes as %s", v, b)
		}
	}
}
