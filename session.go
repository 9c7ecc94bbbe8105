package session

import (
	"context"
	"iter"
)

// Flash is a message stored for the next request, as Flask's flash().
type Flash struct {
	Category string
	Message  string
}

// Session is the session of one request. It is safe for concurrent use by
// the goroutines serving that request.
type Session struct{}

// FromContext returns the session the middleware stored in ctx, or nil
// outside the middleware.
func FromContext(ctx context.Context) *Session { panic("unimplemented") }

// Get returns the value under key converted to T.
func Get[T any](s *Session, key string) (T, bool) { panic("unimplemented") }

// Set stores v under key.
func (s *Session) Set(key string, v any) { panic("unimplemented") }

// Pop removes key and returns its value.
func (s *Session) Pop(key string) (any, bool) { panic("unimplemented") }

// Delete removes key.
func (s *Session) Delete(key string) { panic("unimplemented") }

// Clear removes every key.
func (s *Session) Clear() { panic("unimplemented") }

// Has reports whether key is set.
func (s *Session) Has(key string) bool { panic("unimplemented") }

// All iterates over the values sorted by key.
func (s *Session) All() iter.Seq2[string, any] { panic("unimplemented") }

// Len returns the number of keys.
func (s *Session) Len() int { panic("unimplemented") }

// Permanent reports whether the session is permanent.
func (s *Session) Permanent() bool { panic("unimplemented") }

// SetPermanent makes the session permanent or not.
func (s *Session) SetPermanent(p bool) { panic("unimplemented") }

// Flash adds a flash message.
func (s *Session) Flash(category, message string) { panic("unimplemented") }

// Flashes returns the flash messages and removes them from the session.
func (s *Session) Flashes() []Flash { panic("unimplemented") }

// Renew gives the session a new identity, keeping its data.
func (s *Session) Renew() error { panic("unimplemented") }

// Destroy empties the session and deletes its cookie.
func (s *Session) Destroy() { panic("unimplemented") }

// SetOwner records the user the session belongs to.
func (s *Session) SetOwner(owner string) { panic("unimplemented") }

// Owner returns the user the session belongs to.
func (s *Session) Owner() string { panic("unimplemented") }

// MarkModified marks the session as changed.
func (s *Session) MarkModified() { panic("unimplemented") }

// Err returns the error the session met.
func (s *Session) Err() error { panic("unimplemented") }
