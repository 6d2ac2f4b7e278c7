package openai

import "github.com/reachkit/reachkit/internal/transport"

// secret holds an API key; every fmt verb and text encoding prints
// [REDACTED].
type secret = transport.Secret
