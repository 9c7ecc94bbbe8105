// Package flasklogin reads and writes logins the way Flask-Login (0.6)
// keeps them in the session, so that a Go service sharing a Flask
// application's session (package session) sees who is logged in, and can
// log users in and out for both.
//
// Flask-Login keeps the user's ID under "_user_id", whether the login is
// fresh under "_fresh", and under "_id" an identifier of the client that
// logged in: the SHA-512 of its address and User-Agent (Identifier).
// Session protection compares that identifier with each request's: on a
// mismatch, "basic" protection marks the login not fresh, "strong"
// protection logs the user out (Protect). A login with "remember me" also
// sets a signed remember_token cookie that logs the user in again after
// the session ends.
//
//	lm, err := flasklogin.New(secretKey) // the Flask app's SECRET_KEY
//	lm.Protection = flasklogin.Strong    // as SESSION_PROTECTION = "strong"
//	http.ListenAndServe(addr, m.Handler(lm.Handler(mux)))
//
//	func profile(w http.ResponseWriter, r *http.Request) {
//		s := session.FromContext(r.Context())
//		id, ok := lm.User(s, r) // what current_user.get_id() gives in Flask
//		if !ok {
//			http.Redirect(w, r, "/login", http.StatusSeeOther)
//			return
//		}
//		...
//	}
//
// Login, Logout and ConfirmLogin write exactly what login_user,
// logout_user and confirm_login write; User is current_user (protection,
// session, then the remember-me cookie); Handler sets or clears the
// remember-me cookie at the end of the request, as Flask-Login's
// after_request hook does. UserID and Fresh read the session as is.
package flasklogin
