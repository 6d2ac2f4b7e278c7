package openai

import (
	"fmt"
	"io"
)

// The services print as their name under every verb: their one field leads
// to the client's configuration, API key included, which fmt would show for
// a verb that does not apply to a pointer (%s, %q, %d, ...).

// Format prints the service's name.
func (ChatService) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "openai.ChatService") }

// Format prints the service's name.
func (ResponsesService) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, "openai.ResponsesService")
}

// Format prints the service's name.
func (EmbeddingsService) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, "openai.EmbeddingsService")
}

// Format prints the service's name.
func (ImagesService) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "openai.ImagesService") }

// Format prints the service's name.
func (AudioService) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "openai.AudioService") }

// Format prints the service's name.
func (ModerationsService) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, "openai.ModerationsService")
}

// Format prints the service's name.
func (ModelsService) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "openai.ModelsService") }
