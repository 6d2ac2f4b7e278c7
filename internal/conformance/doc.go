// Package conformance drives every client method against the official API
// specifications, served by a validating mock (the @stdy/cli "steady"
// server). run.sh starts the mocks and runs these tests; without a mock the
// tests skip, except under CI=true, where a skip is a failure.
package conformance
