// Package conformance drives every client method against the official API
// specifications, served by a validating mock (the @stdy/cli "steady"
// server). The tests carry the build tag "conformance"; run.sh starts the
// mocks and runs them with that tag. Without a mock they skip, except under
// CI=true, where a skip is a failure.
package conformance
