// Package session provides HTTP sessions for net/http whose cookies are
// byte-compatible with Flask's, so that a Go service and a Flask service
// sharing one SECRET_KEY share their users' sessions.
package session
