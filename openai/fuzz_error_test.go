package openai_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"unicode/utf8"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/ratelimit"
)

// errorBodySeeds are error replies of the shapes OpenAI, proxies and
// gateways send.
var errorBodySeeds = []struct {
	status int
	ctype  string
	body   string
}{
	{400, "application/json", `{"error":{"message":"Invalid value for 'temperature'","type":"invalid_request_error","param":"temperature","code":"invalid_value"}}`},
	{401, "application/json", `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`},
	{429, "application/json", `{"error":{"message":"Rate limit reached for gpt-4o-mini on tokens per min (TPM): Limit 200000, Used 199000, Requested 2000. Please try again in 300ms.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}`},
	{429, "application/json", `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`},
	{429, "application/json", `{"error":{"message":"Request too large for gpt-4o on tokens per min (TPM): Limit 30000, Requested 50000.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}`},
	{400, "application/json", `{"error":{"message":"bad","type":"invalid_request_error","param":null,"code":400}}`},
	{500, "application/json", `{"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}`},
	{502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"},
	{503, "text/plain", "upstream connect error or disconnect/reset before headers"},
	{504, "", ""},
	{404, "application/json", `{"error":"not found"}`},
	{400, "application/json", "{\"error\":{\"message\":\"\xff\xfe invalid utf-8 \xc3\",\"code\":\"\\ud800\"}}"},
	{409, "application/json", `{"error":{"message":"a","message":"b","code":{"nested":true},"param":["x"]}}`},
	{418, "application/json", `[{"error":{"message":"batched"}}]`},
	{200, "application/json", `{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}`},
}

// FuzzAPIError sends any body with any status to Chat.New. A non-2xx reply
// must give an *APIError of that status whose fields and message are valid
// UTF-8, whose predicates agree with its status, and whose quota verdict
// agrees with Retry's; a 2xx reply gives a result or a *DecodeError. Nothing
// panics.
func FuzzAPIError(f *testing.F) {
	for _, s := range errorBodySeeds {
		f.Add(uint16(s.status), s.ctype, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, code uint16, ctype string, body []byte) {
		status := int(code)
		if status < 100 || status > 599 {
			status = 100 + status%500
		}
		if status == http.StatusSwitchingProtocols {
			return // the HTTP client takes over the connection; not an API reply
		}
		h := http.Header{"X-Request-Id": {"req_fuzz"}}
		if ctype != "" {
			h.Set("Content-Type", ctype)
		}
		c := memoryClient(t, &memoryTransport{status: status, header: h, body: body})
		resp, err := c.Chat.New(context.Background(), helloReq)
		if status >= 200 && status <= 299 {
			var de *openai.DecodeError
			if err != nil && !errors.As(err, &de) {
				t.Fatalf("2xx reply: %T %v, want a result or a *DecodeError", err, err)
			}
			if err == nil {
				_ = resp.Text()
			}
			return
		}
		var e *openai.APIError
		if !errors.As(err, &e) {
			t.Fatalf("HTTP %d: %T %v, want an *APIError", status, err, err)
		}
		if e.StatusCode != status {
			t.Fatalf("StatusCode %d, want %d", e.StatusCode, status)
		}
		for name, s := range map[string]string{"Type": e.Type, "Code": e.Code, "Param": e.Param, "Message": e.Message,
			"RequestID": e.RequestID, "Error()": e.Error()} {
			if !utf8.ValidString(s) {
				t.Fatalf("%s is not valid UTF-8: %q", name, s)
			}
		}
		if e.IsRateLimit() && (status != 429 || e.IsQuotaExceeded()) {
			t.Fatalf("IsRateLimit for HTTP %d (quota %v)", status, e.IsQuotaExceeded())
		}
		if e.IsAuth() != (status == 401 || status == 403) {
			t.Fatalf("IsAuth %v for HTTP %d", e.IsAuth(), status)
		}
		if openai.IsQuotaExceeded(err) != e.IsQuotaExceeded() || openai.IsRateLimit(err) != e.IsRateLimit() {
			t.Fatal("the package helpers disagree with the methods")
		}
		if retry := ratelimit.Classify(status, e.Header, body).Retry; e.IsRetryable() != retry {
			t.Fatalf("IsRetryable %v but Retry would retry: %v, for HTTP %d %q", e.IsRetryable(), retry, status, body)
		}
		if status == 429 && e.IsQuotaExceeded() != ratelimit.IsQuotaError(status, body) {
			t.Fatalf("IsQuotaExceeded %v but ratelimit.IsQuotaError %v: the error and Retry disagree on %q", e.IsQuotaExceeded(), !e.IsQuotaExceeded(), body)
		}
	})
}
