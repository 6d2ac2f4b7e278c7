// Package brevo is a small typed client for the Brevo v3 API: contacts and
// their attributes, contact lists and folders, transactional email and email
// campaigns.
//
// A [Client] is built once with [NewClient] and shared; it is safe for
// concurrent use. Each resource hangs off it as a service:
//
//	c, err := brevo.NewClient(brevo.WithAPIKey(key)) // or BREVO_API_KEY
//	_, err = c.Attributes.Ensure(ctx,
//		brevo.AttributeSpec{Name: "SENTIMENT_SCORE", Type: brevo.AttributeFloat})
//	_, err = c.Contacts.Create(ctx, brevo.CreateContactRequest{
//		Email:         "ada@example.com",
//		Attributes:    brevo.Attributes{"SENTIMENT_SCORE": brevo.Number(0.8)},
//		UpdateEnabled: true,
//	})
//
// Every request goes through the same pipeline as the openai package: the
// client builds it (api-key header, JSON body encoded once), records its
// rate-limit cost in the context with ratelimit.WithCost, keyed by the
// endpoint group of [RouteGroup], then sends it through retry, then throttle
// and user middleware in the order given, then the HTTP client. [Throttle]
// paces each endpoint group with its own ratelimit.Limiter, started from
// the documented budgets of [RouteLimits] and corrected from Brevo's
// x-sib-ratelimit-* headers, which every result's [Meta] also carries.
//
// Errors from the API are *[APIError]; bodies that cannot be decoded are
// *[DecodeError]; input rejected before anything is sent wraps
// [ErrInvalidRequest]; a helper that splits work into several calls reports
// the calls that failed with a *[BatchError].
package brevo
