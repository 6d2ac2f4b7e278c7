package brevo

import (
	"fmt"
	"io"
)

// The services print as their name under every verb: their one field leads
// to the client's configuration, API key included, which fmt would show for
// a verb that does not apply to a pointer (%s, %q, %d, ...).

// Format prints the service's name.
func (ContactsService) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "brevo.ContactsService") }

// Format prints the service's name.
func (AttributesService) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, "brevo.AttributesService")
}

// Format prints the service's name.
func (ListsService) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "brevo.ListsService") }

// Format prints the service's name.
func (FoldersService) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "brevo.FoldersService") }

// Format prints the service's name.
func (EmailService) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "brevo.EmailService") }

// Format prints the service's name.
func (CampaignsService) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, "brevo.CampaignsService")
}
