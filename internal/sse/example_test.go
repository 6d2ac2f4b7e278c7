package sse_test

import (
	"fmt"
	"strings"

	"github.com/reachkit/reachkit/internal/sse"
)

func ExampleDecoder() {
	body := strings.NewReader("" +
		": keep-alive\n\n" +
		"data: {\"delta\":\"Hel\"}\n\n" +
		"event: update\r\ndata: {\"delta\":\r\ndata: \"lo\"}\r\n\r\n" +
		"data: [DONE]\n\n")

	d := sse.NewDecoder(body)
	for d.Next() {
		ev := d.Event()
		if ev.IsDone() {
			break
		}
		fmt.Printf("type=%q data=%s\n", ev.Type, ev.Data)
	}
	if err := d.Err(); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// type="" data={"delta":"Hel"}
	// type="update" data={"delta":
	// "lo"}
}
