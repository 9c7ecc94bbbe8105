package flaskwtf_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flaskwtf"
)

// A Go service next to a Flask app using Flask-WTF: its forms carry tokens
// Flask accepts, and it accepts the forms Flask renders.
func Example() {
	key := []byte("Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe") // the Flask app's SECRET_KEY
	m, err := session.New(key)
	if err != nil {
		panic(err)
	}
	csrf, err := flaskwtf.New(key)
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /profile", func(w http.ResponseWriter, r *http.Request) {
		tok := csrf.Token(session.FromContext(r.Context()))
		fmt.Fprint(w, tok) // in a real page: <input type="hidden" name="csrf_token" value="{{.}}">
	})
	mux.HandleFunc("POST /profile", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "saved ", r.PostFormValue("name"))
	})
	srv := httptest.NewServer(m.Handler(csrf.Handler(mux)))
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	show := func(resp *http.Response, err error) string {
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return fmt.Sprint(resp.StatusCode, " ", strings.TrimSpace(string(body)))
	}

	fmt.Println(show(client.PostForm(srv.URL+"/profile", url.Values{"name": {"Maria"}})))
	resp, err := client.Get(srv.URL + "/profile")
	if err != nil {
		panic(err)
	}
	tok, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(show(client.PostForm(srv.URL+"/profile", url.Values{"name": {"Maria"}, "csrf_token": {string(tok)}})))
	// Output:
	// 400 Bad Request: The CSRF token is missing.
	// 200 saved Maria
}

// Validate is Flask-WTF's validate_csrf, for a token that arrives some
// other way than a form field or header Check knows.
func ExampleCSRF_Validate() {
	key := []byte("Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe")
	m, _ := session.New(key)
	csrf, _ := flaskwtf.New(key)
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		tok := csrf.Token(s)
		fmt.Println(csrf.Validate(s, tok))
		fmt.Println(csrf.Validate(s, tok+"x"))
		fmt.Println(flaskwtf.Reason(csrf.Validate(s, "")))
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	// Output:
	// <nil>
	// flaskwtf: the CSRF token is invalid
	// The CSRF token is missing.
}
