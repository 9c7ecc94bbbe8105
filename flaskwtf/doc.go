// Package flaskwtf issues and checks the CSRF tokens of Flask-WTF (1.x), so
// that a Go service sharing a Flask application's session (package session)
// accepts the forms Flask renders and renders forms Flask accepts.
//
// Flask-WTF keeps a random raw token in the session under "csrf_token"
// (40 hex digits: the SHA-1 of 64 random bytes) and puts in each form that
// raw token signed with itsdangerous's URLSafeTimedSerializer: salt
// "wtf-csrf-token", the secret key (WTF_CSRF_SECRET_KEY, or SECRET_KEY),
// SHA-1 and itsdangerous's default "django-concat" key derivation, which
// is not the one Flask's session cookie uses. A posted token is valid when
// its signature verifies, it is at most WTF_CSRF_TIME_LIMIT (default 3600)
// seconds old and not from the future, and it carries the session's raw
// token.
//
//	csrf, err := flaskwtf.New(secretKey) // the Flask app's SECRET_KEY bytes
//	mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) {
//		tok := csrf.Token(session.FromContext(r.Context()))
//		fmt.Fprintf(w, `<input type="hidden" name="csrf_token" value="%s">`, tok)
//	})
//	http.ListenAndServe(addr, m.Handler(csrf.Handler(mux)))
//
// Handler is CSRFProtect: it refuses a POST, PUT, PATCH or DELETE whose
// token (form field csrf_token, a form field ending in csrf_token, or the
// X-CSRFToken or X-CSRF-Token header) is not valid, and, for HTTPS
// requests, one whose Referer is not of the same origin, with the reasons
// Flask-WTF gives. It must run inside the session middleware.
//
// A token signed in Go at the same second from the same raw token is
// byte-identical to Flask-WTF's, unless itsdangerous compresses its
// payload, which happens only for raw tokens with repeats (none of
// 200,000 random raw tokens); Go never compresses, and both sides read
// both forms.
package flaskwtf
