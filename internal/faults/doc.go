// Package faults injects network and protocol faults into the calls of the
// reachkit clients, so that tests can check what a user sees when the
// network or the server misbehaves: a typed error or a success after retry,
// never a panic, never a hang past the context, and bounded memory.
package faults
