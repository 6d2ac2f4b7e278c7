// Package transport holds what the reachkit API clients share: URL joining,
// replayable request bodies, bounded JSON decoding, typed errors for bodies
// that are not what they claim to be, and the middleware chain.
package transport
