package openai

// decodeCompletion decodes a chat completion of the usual shape (text
// answers, finish reasons, usage) into c with the scanner of decodeChunk:
// no reflection, and strings allocated only for what varies between calls
// (id, model, content, system_fingerprint); the role, object, finish reason
// and service tier come from constants when they are the known values. c
// must be zero.
//
// It reports false for anything else (tool calls, logprobs, audio,
// annotations, a key spelt differently from the struct tags, malformed JSON,
// invalid UTF-8); c is then undefined and the caller decodes the reply with
// encoding/json, which gives the same result for every reply this accepts.
func decodeCompletion(data []byte, c *ChatCompletion) bool {
	d := chunkScanner{b: data}
	seenChoices := false
	ok := d.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return d.str(&c.ID)
		case "object":
			return d.str(&c.Object, "chat.completion")
		case "model":
			return d.str(&c.Model)
		case "system_fingerprint":
			return d.str(&c.SystemFingerprint)
		case "service_tier":
			return d.str(&c.ServiceTier, "default", "auto", "flex", "priority", "scale")
		case "created":
			return d.int64(&c.Created)
		case "choices":
			// A repeated key would decode into the first one's elements:
			// leave that to encoding/json.
			if seenChoices {
				return false
			}
			seenChoices = true
			return d.completionChoices(c)
		case "usage":
			return d.usageObject(&c.Usage)
		}
		return d.skipUnknown(key, "id", "object", "model", "system_fingerprint", "service_tier", "created", "choices", "usage")
	})
	if !ok {
		return false
	}
	d.ws()
	return d.i == len(d.b)
}

func (d *chunkScanner) completionChoices(c *ChatCompletion) bool {
	if d.peek() != '[' {
		return false // null sets the slice to nil: leave it to encoding/json
	}
	c.Choices = []ChatChoice{}
	return d.array(func() bool {
		c.Choices = append(c.Choices, ChatChoice{})
		ch := &c.Choices[len(c.Choices)-1]
		return d.object(func(key []byte) bool {
			switch string(key) {
			case "index":
				return d.int(&ch.Index)
			case "message":
				return d.message(&ch.Message)
			case "finish_reason":
				return d.str(&ch.FinishReason, "stop", "length", "tool_calls", "content_filter", "function_call")
			case "logprobs":
				return d.null()
			}
			return d.skipUnknown(key, "index", "message", "finish_reason", "logprobs")
		})
	})
}

func (d *chunkScanner) message(m *ChatCompletionMessage) bool {
	if d.peek() == 'n' {
		return d.null()
	}
	return d.object(func(key []byte) bool {
		switch string(key) {
		case "role":
			return d.str((*string)(&m.Role), roles...)
		case "content":
			return d.str(&m.Content)
		case "refusal":
			return d.str(&m.Refusal)
		case "annotations":
			return d.emptyArray(&m.Annotations)
		case "tool_calls", "audio":
			return d.null()
		}
		return d.skipUnknown(key, "role", "content", "refusal", "tool_calls", "annotations", "audio")
	})
}

// emptyArray reads null, which leaves *dst alone, or [], which encoding/json
// decodes as an empty, non-nil slice.
func (d *chunkScanner) emptyArray(dst *[]Annotation) bool {
	if d.peek() == 'n' {
		return d.null()
	}
	if d.peek() != '[' {
		return false
	}
	d.i++
	if d.peek() != ']' {
		return false
	}
	d.i++
	*dst = []Annotation{}
	return true
}

// usageObject reads null or a usage object of integers.
func (d *chunkScanner) usageObject(dst **Usage) bool {
	if d.peek() == 'n' {
		*dst = nil
		return d.null()
	}
	if d.peek() != '{' {
		return false
	}
	u := *dst
	if u == nil {
		u = new(Usage)
	}
	ok := d.object(func(key []byte) bool {
		switch string(key) {
		case "prompt_tokens":
			return d.int(&u.PromptTokens)
		case "completion_tokens":
			return d.int(&u.CompletionTokens)
		case "total_tokens":
			return d.int(&u.TotalTokens)
		case "prompt_tokens_details":
			p := &u.PromptTokensDetails
			return d.intFields(func(key []byte) (*int, bool) {
				switch string(key) {
				case "cached_tokens":
					return &p.CachedTokens, true
				case "audio_tokens":
					return &p.AudioTokens, true
				}
				return nil, d.skipUnknown(key, "cached_tokens", "audio_tokens")
			})
		case "completion_tokens_details":
			c := &u.CompletionTokensDetails
			return d.intFields(func(key []byte) (*int, bool) {
				switch string(key) {
				case "reasoning_tokens":
					return &c.ReasoningTokens, true
				case "audio_tokens":
					return &c.AudioTokens, true
				case "accepted_prediction_tokens":
					return &c.AcceptedPredictionTokens, true
				case "rejected_prediction_tokens":
					return &c.RejectedPredictionTokens, true
				}
				return nil, d.skipUnknown(key, "reasoning_tokens", "audio_tokens", "accepted_prediction_tokens", "rejected_prediction_tokens")
			})
		}
		return d.skipUnknown(key, "prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details", "completion_tokens_details")
	})
	if ok {
		*dst = u
	}
	return ok
}

// intFields reads null or an object whose known keys are integers: field
// returns where a key goes, or nil after skipping an unknown key's value.
func (d *chunkScanner) intFields(field func(key []byte) (*int, bool)) bool {
	if d.peek() == 'n' {
		return d.null()
	}
	return d.object(func(key []byte) bool {
		p, ok := field(key)
		if !ok {
			return false
		}
		if p == nil {
			return true
		}
		return d.int(p)
	})
}
