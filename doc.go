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
// # Encrypted sessions
//
// Flask's cookie is signed, not encrypted: anyone holding it reads the
// session. A Manager made with NewSealed writes SK1 tokens instead
// (package seal, docs/ENCRYPTED.md): encrypted and authenticated, bound to
// the cookie's name and a scope, with key IDs for rotation Flask's way
// (the current key seals, fallbacks open, and a token opened with a
// fallback is sealed again keeping its issue time). A Flask application
// shares the sessions through python/sessionkit_seal. Everything else
// (lifetimes, flashes, size limits, stores) works as with signed cookies.
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
// The cookie carries only the session ID, signed (with a key derived from
// the secret key for ID cookies), so a forged or malformed ID never reaches
// the Store. A cookie
// whose record is gone (expired, destroyed, renewed away) starts an
// anonymous session under a new server-generated ID; the client's ID is
// never adopted, and the stale cookie is left alone rather than deleted,
// since a parallel request may just have replaced it with a good one. A
// Store failure (ErrStoreUnavailable) is never taken for a missing session:
// the request gets the ErrorHandler (503) and no Set-Cookie.
//
// A new session is created insert-only, retrying with a new ID on the
// (theoretical) collision. A session that holds nothing but the permanent
// flag is never stored, so anonymous visitors cost no record, and a save
// that would not change the record (a Set of the value already held)
// writes nothing. A loaded session is saved with Store.Update and the
// version it was loaded at; see "Concurrent requests" for what happens
// when another request saved in between. A record is limited to
// Manager.MaxRecordSize bytes (64 KiB by default): a bigger session fails
// with a *RecordTooLargeError, as a cookie too large does.
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
// owner. The ID cookie is signed with a key derived for that purpose
// (Manager.IDSigner): a Flask application sharing the secret key and the
// cookie name sees a bad signature and starts an empty session.
//
// # Concurrent requests
//
// Two requests of one session (two tabs, a burst of XHRs, a double click)
// each load the session, change it, and save it. With a Store, no change a
// client was told is saved is ever lost: every save is version-checked, and
// a save that finds another save in between is merged by this rule, an
// optimistic transaction's validation per key. A key the request read
// (Get, Has, Pop, Permanent; every key after All, Len or MarkModified)
// before changing the session is something its changes were built on (a
// read made with Peek is declared not to be): if the other save changed
// that key, the save fails with a *ConflictError,
// which the default ErrorHandler answers 409 Conflict without a
// Set-Cookie, and the client may retry. Otherwise the request's changes are
// replayed on the fresh record: a Set or Delete as it was made (it does not
// depend on the value it replaces), and an update made with Update, Append,
// Add, Flash or Flashes by running its function again on the fresh value,
// so that appends to a list and counts from many tabs all succeed and all
// add up. Keys the request did not change keep the other save's values.
// Saves of one session in one process take turns; saves racing across
// processes are merged up to Manager.MergeRetries times. A session that
// ended meanwhile (logout, renewal, expiry) is never brought back: the late
// save fails with a *ConflictError (Gone).
//
// Without a Store the session is the cookie, and the browser keeps
// whichever response arrived last: two responses racing to the browser
// cannot be ordered, and the later one's cookie replaces the earlier one's,
// as in Flask. Use a Store (or Hybrid, which keeps a session that outgrew
// its cookie in the Store) when concurrent requests of one session must all
// keep their changes.
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
// replaces). Set and the update functions refuse keys with the "_sk_"
// prefix (ErrReservedKey), so that no user input can set a session's
// owner.
//
// # Duplicate cookies
//
// When a request carries several cookies with the session's name (a
// sibling subdomain can plant one: cookie tossing), identical copies count
// once; with more than five different ones, none is used; otherwise all are
// verified, and if those that verify do not carry the same signed payload,
// none is used. The session is then empty and a warning is logged: a
// logged-out user is better than a silently swapped identity. The work is
// bounded (at most five signature checks), and a "__Host-" cookie name
// stops sibling subdomains from planting cookies at all.
//
// # Cost of a request
//
// A browser sends the same session cookie until the session changes. The
// Manager keeps the decoded content of the cookies it verified or wrote
// recently (Manager.CacheEntries and CacheBytes bound it; 4096 entries and
// 8 MiB by default), so that a request bringing a known cookie costs its
// signature (or seal) and age check and no base64, zlib or JSON work. The
// cache changes nothing else:
//
//   - every request's cookie is verified, signature or seal and age,
//     before the cache is looked at: an entry never vouches for a cookie;
//   - an entry is keyed by the verified text decoding reads (a Flask
//     cookie's signed payload, an SK1 token's plaintext), whose values do
//     not depend on anything else; a refreshed cookie (same payload, new
//     timestamp) finds its entry;
//   - each Manager has its own caches, separate for each key, cookie name
//     and decoding setting;
//   - a handler gets its own copy of a value before it can change it
//     (a list, a map, a byte slice or a big integer is copied when Get,
//     Peek, Pop, All or an update function first hands it out), so nothing
//     a handler does reaches the next request; reading strings and numbers
//     copies nothing;
//   - eviction runs inline, in the request that adds an entry: no
//     goroutine, no timer.
//
// Sessions kept in a Store are read from the Store on every request.
//
// # Logging
//
// The Manager logs through log/slog (Manager.Logger). It never logs cookie
// values or keys; keys are named by KeyFingerprint at most.
package session
