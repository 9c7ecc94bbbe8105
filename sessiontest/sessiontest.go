// Package sessiontest helps test handlers that use package session: it makes
// requests that carry a session and reads back the session a response set.
package sessiontest

import (
	"net/http"
	"testing"

	session "github.com/sessionkit/session"
)

// NewRequest returns a GET request for target carrying a session cookie
// that m accepts, holding values.
func NewRequest(t testing.TB, m *session.Manager, target string, values map[string]any) *http.Request {
	panic("unimplemented")
}

// SessionFrom returns the session values that resp set with its
// Set-Cookie, and whether it set one.
func SessionFrom(t testing.TB, m *session.Manager, resp *http.Response) (map[string]any, bool) {
	panic("unimplemented")
}
