// Package session provides HTTP sessions for net/http whose cookies are
// byte-compatible with Flask's, so that a Go service and a Flask service
// sharing one SECRET_KEY share their users' sessions.
//
// # Usage
//
// Build a Manager with the secret key, adjust its fields, and wrap your
// handler with its middleware; handlers get their *Session from the
// request's context:
//
//	m, err := session.New(key) // the Flask app's SECRET_KEY; at least 32 random bytes
//	if err != nil {
//		log.Fatal(err)
//	}
//	m.Cookie.Secure = true
//	http.ListenAndServe(addr, m.Handler(mux))
//
//	func perfil(w http.ResponseWriter, r *http.Request) {
//		s := session.FromContext(r.Context())
//		if u, ok := session.Get[string](s, "usuario"); ok {
//			fmt.Fprintf(w, "Bem-vindo, %s!", u)
//		}
//	}
//
// The middleware is a plain func(http.Handler) http.Handler and works behind
// any router.
//
// # Flask semantics
//
// The session follows Flask's SecureCookieSessionInterface (package flask
// holds the wire format): values are Flask's tagged JSON, signed with Flask's
// itsdangerous settings; the permanent flag is the "_permanent" key and
// flash messages are (category, message) tuples under "_flashes", so a
// flash set on one side is shown by the other. Set-Cookie is sent only when
// the session was modified, or for a permanent session on every request
// (RefreshEachRequest), which slides its expiry; permanent cookies carry
// Expires = now + Lifetime and no Max-Age; a modified session that became
// empty is deleted with a cookie carrying the same attributes. Lifetime is
// the maximum age of every cookie, permanent or not. A missing, forged or
// expired cookie gives an empty session, silently, as in Flask.
//
// # Beyond Flask
//
//   - Every response that reads the session, or sets or deletes its
//     cookie, carries Vary: Cookie (merged with the handler's Vary), and every
//     Set-Cookie comes with Cache-Control: private, no-cache="Set-Cookie"
//     (and no-store on the deletion cookie of a logout), so that shared
//     caches never hand one user's cookie to another.
//   - The cookie defaults to SameSite=Lax and HttpOnly; configurations
//     that browsers reject (a __Host- cookie without Secure, SameSite=None
//     without Secure, ...) fail Validate, and Handler panics with a message
//     saying how to fix them.
//   - A session whose cookie would exceed MaxCookieSize (4096 bytes of name
//     and value) is an error through ErrorHandler (default: a 500 and a log
//     line with the size), never a cookie silently dropped by the browser;
//     the client keeps its previous cookie.
//   - AbsoluteTimeout ends a session a fixed time after it began, however
//     active; Generations revokes cookies per owner (Session.SetOwner,
//     Session.Destroy, Manager.DestroyAll), so a logout really invalidates
//     copies of the cookie.
//   - Secret keys that are empty, short, patterned or published examples are
//     refused (CheckKey); NewDevelopment accepts them with a warning.
//   - Several cookies with the session's name (cookie tossing) are handled
//     by a bounded rule that never merges them (see below).
//
// # Server-side sessions
//
// With Manager.Store set, the data lives on the server and the cookie
// carries only a signed session ID; handlers use the same Session API.
// Manager.TouchInterval, MergeRetries, Hybrid and HybridThreshold tune it:
//
//	m.Store = redisstore.New(client)
//	m.TouchInterval = 5 * time.Minute
//	m.Hybrid = true // small sessions stay in the Flask cookie
//
// The cookie carries only the session ID, signed like a Flask session
// cookie, so a forged or malformed ID never reaches the Store. A cookie
// whose record is gone (expired, destroyed, renewed away) starts an
// anonymous session under a new server-generated ID; the client's ID is
// never adopted, and the stale cookie is left alone rather than deleted,
// since a parallel request may just have replaced it with a good one. A
// Store failure (ErrStoreUnavailable) is never taken for a missing session:
// the request gets the ErrorHandler (503) and no Set-Cookie.
//
// A new session is created insert-only, retrying with a new ID on the
// (theoretical) collision. A loaded session is saved with Store.Update and
// the version it was loaded at. When another request saved in between
// (ErrConflict), the record is loaded again, the keys this request set or
// deleted are applied to it (all keys after MarkModified), and the save is
// retried, up to MergeRetries times; then the request fails with
// ErrConflict. Two requests changing different keys thus both keep their
// change; for one key, the later save wins. When the record is gone at save
// time (ErrNotFound: a logout or a Renew by another request), the write is
// dropped and logged, never recreated, and no Set-Cookie is sent.
//
// Each write sets the record's expiry to now plus Manager.Lifetime (the
// idle limit). A read-only request writes nothing, unless the last write
// is older than TouchInterval: it then extends the expiry with Store.Touch
// and re-signs the cookie (a permanent session with
// Manager.RefreshEachRequest still gets its cookie re-sent on every request,
// as in cookie mode, without a store write). A session may therefore end up to TouchInterval
// earlier than an exact sliding window would end it. Expiries are computed
// with Manager.Now and checked by the store's clock (the database server's
// for pgstore): instances whose clocks are d apart shorten or lengthen idle
// sessions by d, so keep them synchronised (NTP).
//
// Renew moves the record to a new ID with Store.Renew; Destroy deletes it
// (a failed delete fails the request, so a user is never told "logged out"
// while the record lives); Manager.DestroyAll deletes every record of an
// owner.
//
// # When the session is saved
//
// The session is saved just before the response headers are written: on
// the handler's first WriteHeader, Write or Flush, or when it returns
// without writing. A change made after that cannot reach the client: it is
// logged and reported by Session.Err as ErrCommitted. If saving fails, the
// ErrorHandler writes the response and the handler's later writes are
// dropped (Write returns an error). The wrapped ResponseWriter supports
// Flush, Hijack and Unwrap, so http.ResponseController works. A read made
// after the headers were written cannot add Vary: Cookie any more; it is
// logged as a warning, since a shared cache could then serve the response
// to another user.
//
// # Reserved keys
//
// Some features keep data in the cookie under reserved keys that Go
// handlers never see but Flask applications sharing the cookie do (they
// must leave them alone): "_sk_created" (AbsoluteTimeout), "_sk_owner" and
// "_sk_gen" (SetOwner, Generations) and "_sk_id" (the identity Renew
// replaces).
//
// # Duplicate cookies
//
// When a request carries several cookies with the session's name, at most
// five non-empty ones are verified. If exactly one verifies, or all that
// verify hold the same data, it is used; if several verify with different
// data, all are refused, the session is empty, and a warning is logged: a
// logged-out user is better than a silently swapped identity. A "__Host-"
// cookie name stops sibling subdomains from planting cookies at all.
//
// # Logging
//
// The Manager logs through log/slog (Manager.Logger). It never logs cookie
// values or keys; keys are named by KeyFingerprint at most.
package session
