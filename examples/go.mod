module github.com/reachkit/reachkit/examples

go 1.24

require github.com/reachkit/reachkit v0.0.0

require (
	github.com/cenkalti/backoff/v4 v4.3.0 // indirect
	github.com/google/jsonschema-go v0.4.3 // indirect
	github.com/pkoukk/tiktoken-go-loader v0.0.2 // indirect
)

replace github.com/reachkit/reachkit => ../
