package flasklogin_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flasklogin"
)

// A Go service next to a Flask app using Flask-Login with
// SESSION_PROTECTION = "strong": a login made on either side is seen by
// both, and a stolen cookie used from another browser is worth nothing.
func Example() {
	key := []byte("Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe") // the Flask app's SECRET_KEY
	m, err := session.New(key)
	if err != nil {
		panic(err)
	}
	lm, err := flasklogin.New(key)
	if err != nil {
		panic(err)
	}
	lm.Protection = flasklogin.Strong

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		// ... check the credentials, then:
		lm.Login(session.FromContext(r.Context()), r, "42", flasklogin.LoginOptions{})
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if id, ok := lm.User(s, r); ok {
			fmt.Fprintf(w, "user %s, fresh: %v", id, flasklogin.Fresh(s))
			return
		}
		fmt.Fprint(w, "anonymous")
	})
	srv := httptest.NewServer(m.Handler(lm.Handler(mux)))
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	browser := func(method, path, ua string) {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		req.Header.Set("User-Agent", ua)
		resp, err := (&http.Client{Jar: jar}).Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if len(body) > 0 {
			fmt.Println(string(body))
		}
	}
	browser("GET", "/me", "Firefox")
	browser("POST", "/login", "Firefox")
	browser("GET", "/me", "Firefox")
	browser("GET", "/me", "curl") // the same cookies from another client
	browser("GET", "/me", "Firefox")
	// Output:
	// anonymous
	// user 42, fresh: true
	// anonymous
	// anonymous
}

// Identifier is Flask-Login's _create_identifier; this value was computed
// by Flask-Login 0.6.2 for the same request.
func ExampleIdentifier() {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "127.0.0.1:54321"
	r.Header.Set("User-Agent", "Mozilla/5.0")
	fmt.Println(flasklogin.Identifier(r)[:16])
	// Output:
	// 4b58f43e05616ba2
}

// The remember-me cookie is the user ID and an HMAC-SHA512 of it.
func ExampleManager_DecodeCookie() {
	lm, _ := flasklogin.New([]byte("Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe"))
	value := lm.EncodeCookie("42")
	fmt.Println(lm.DecodeCookie(value))
	fmt.Println(lm.DecodeCookie("42|forged"))
	// Output:
	// 42 true
	//  false
}
