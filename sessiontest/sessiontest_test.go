package sessiontest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
	"github.com/sessionkit/session/sessiontest"
)

const key = "Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe"

// perfil greets the logged-in user and counts visits.
func perfil(w http.ResponseWriter, r *http.Request) {
	s := session.FromContext(r.Context())
	u, ok := session.Get[string](s, "usuario")
	if !ok {
		http.Error(w, "Nenhum usuário logado.", http.StatusUnauthorized)
		return
	}
	n, _ := session.Get[int](s, "visits")
	s.Set("visits", n+1)
	fmt.Fprintf(w, "Bem-vindo, %s!", u)
}

func newManager(t *testing.T) *session.Manager {
	m, err := session.New([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRoundTrip(t *testing.T) {
	m := newManager(t)
	req := sessiontest.NewRequest(t, m, "/perfil", map[string]any{"usuario": "Maria", "visits": 2})
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(perfil)).ServeHTTP(rec, req)
	if rec.Body.String() != "Bem-vindo, Maria!" {
		t.Fatalf("body %q", rec.Body)
	}
	values, ok := sessiontest.SessionFrom(t, m, rec.Result())
	if !ok || values["visits"] != int64(3) || values["usuario"] != "Maria" {
		t.Errorf("session after the request: %v %v", values, ok)
	}
}

func TestNoSessionAndDeletion(t *testing.T) {
	m := newManager(t)
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(perfil)).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if values, ok := sessiontest.SessionFrom(t, m, rec.Result()); ok || values != nil {
		t.Errorf("anonymous request: %v %v", values, ok)
	}
	logout := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Destroy()
	})
	rec = httptest.NewRecorder()
	m.Handler(logout).ServeHTTP(rec, sessiontest.NewRequest(t, m, "/logout", map[string]any{"usuario": "Maria"}))
	if values, ok := sessiontest.SessionFrom(t, m, rec.Result()); !ok || len(values) != 0 {
		t.Errorf("logout: %v %v", values, ok)
	}
}

func TestAddSessionAndCookies(t *testing.T) {
	m := newManager(t)
	m.Cookie.Name = "sid"
	r := httptest.NewRequest("POST", "/", nil)
	sessiontest.AddSession(t, m, r, map[string]any{"usuario": "Ana", "_permanent": true})
	if c, err := r.Cookie("sid"); err != nil || c.Value == "" {
		t.Fatalf("no sid cookie: %v", err)
	}
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(perfil)))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	for _, c := range sessiontest.Cookies(t, m, map[string]any{"usuario": "Rui"}) {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "Bem-vindo, Rui!" {
		t.Errorf("live server: %q", body)
	}
}

func Example() {
	m, err := session.New([]byte("Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe"))
	if err != nil {
		panic(err)
	}
	t := &testing.T{} // in a test, use the test's own *testing.T
	req := sessiontest.NewRequest(t, m, "/perfil", map[string]any{"usuario": "Maria"})
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(perfil)).ServeHTTP(rec, req)
	values, _ := sessiontest.SessionFrom(t, m, rec.Result())
	fmt.Println(rec.Body.String())
	fmt.Println(values["visits"])
	// Output:
	// Bem-vindo, Maria!
	// 1
}

// TestServerSideSessions: the helpers go through the Manager, so they work
// when the session lives in a Store and the cookie only names it.
func TestServerSideSessions(t *testing.T) {
	m := newManager(t)
	m.Store = memstore.New()
	req := sessiontest.NewRequest(t, m, "/perfil", map[string]any{"usuario": "Maria"})
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(perfil)).ServeHTTP(rec, req)
	if rec.Body.String() != "Bem-vindo, Maria!" {
		t.Fatalf("body %q", rec.Body)
	}
	values, ok := sessiontest.SessionFrom(t, m, rec.Result())
	if !ok || values["visits"] != int64(1) {
		t.Errorf("session after the request: %v %v", values, ok)
	}
}
