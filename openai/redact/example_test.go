package redact_test

import (
	"fmt"

	"github.com/reachkit/reachkit/openai/redact"
)

func ExampleRedactor() {
	r := redact.New() // once, shared
	s := r.NewSession()
	fmt.Println(s.Redact("Write a thank-you note to jane@example.com (+44 20 7946 0958)."))
	fmt.Println(s.Redact("Copy jane@example.com; she paid with 4111 1111 1111 1111."))
	for _, f := range s.Findings() {
		fmt.Println(f.Kind, f.Placeholder, f.Original)
	}
	// Output:
	// Write a thank-you note to [EMAIL_1] ([PHONE_1]).
	// Copy [EMAIL_1]; she paid with [CARD_1].
	// EMAIL [EMAIL_1] jane@example.com
	// PHONE [PHONE_1] +44 20 7946 0958
	// CARD [CARD_1] 4111 1111 1111 1111
}

func ExampleSession_Restore() {
	prompt, s := redact.New().Redact("Draft a reply to 张伟 <zhang.wei@example.cn> about order #123456.")
	fmt.Println(prompt)
	reply := "您好，订单 #123456 的更新已发送至 [EMAIL_1]。" // what the model answered
	fmt.Println(s.Restore(reply))
	// Output:
	// Draft a reply to 张伟 <[EMAIL_1]> about order #123456.
	// 您好，订单 #123456 的更新已发送至 zhang.wei@example.cn。
}

func ExampleWithKinds() {
	r := redact.New(redact.WithKinds(redact.Email, redact.Secret))
	out, _ := r.Redact("Call +1 415-555-0132 or mail ops@example.com")
	fmt.Println(out)
	// Output:
	// Call +1 415-555-0132 or mail [EMAIL_1]
}
