module github.com/reachkit/reachkit/bench

go 1.26.0

replace github.com/reachkit/reachkit => ../

require (
	github.com/openai/openai-go/v3 v3.96.0
	github.com/reachkit/reachkit v0.0.0
	github.com/sashabaranov/go-openai v1.43.0
)

require (
	github.com/cenkalti/backoff/v4 v4.3.0 // indirect
	github.com/coder/websocket v1.8.15 // indirect
	github.com/google/jsonschema-go v0.4.3 // indirect
	github.com/pkoukk/tiktoken-go-loader v0.0.2 // indirect
	github.com/tidwall/gjson v1.20.0 // indirect
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.1 // indirect
	github.com/tidwall/sjson v1.2.5 // indirect
)
