package session_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
)

// The lesson's Exemplo 01: log in, see the profile, log out.
func Example_loginLogout() {
	m, err := session.New([]byte("Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe")) // use your own random key
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Renew() // a new identity at login
		s.Set("usuario", "Maria")
		fmt.Fprint(w, "Usuário logado!")
	})
	mux.HandleFunc("/perfil", func(w http.ResponseWriter, r *http.Request) {
		if u, ok := session.Get[string](session.FromContext(r.Context()), "usuario"); ok {
			fmt.Fprintf(w, "Bem-vindo, %s!", u)
			return
		}
		fmt.Fprint(w, "Nenhum usuário logado.")
	})
	mux.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Destroy()
		fmt.Fprint(w, "Usuário deslogado.")
	})
	srv := httptest.NewServer(m.Handler(mux))
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	for _, path := range []string{"/perfil", "/login", "/perfil", "/logout", "/perfil"} {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%-8s %s\n", path, body)
	}
	// Output:
	// /perfil  Nenhum usuário logado.
	// /login   Usuário logado!
	// /perfil  Bem-vindo, Maria!
	// /logout  Usuário deslogado.
	// /perfil  Nenhum usuário logado.
}

// Flash messages set in one request and shown in the next, stored as
// Flask stores them so that either side can show them.
func Example_flash() {
	m, err := session.New([]byte("Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe"))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /nomes", func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Flash("message", "Nome adicionado.")
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		for _, f := range session.FromContext(r.Context()).Flashes() {
			fmt.Fprintf(w, "[%s] %s\n", f.Category, f.Message)
		}
		fmt.Fprint(w, "página")
	})
	srv := httptest.NewServer(m.Handler(mux))
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	for range 2 {
		resp, err := client.Post(srv.URL+"/nomes", "text/plain", nil) // follows the redirect
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%s\n--\n", body)
	}
	// Output:
	// [message] Nome adicionado.
	// página
	// --
	// [message] Nome adicionado.
	// página
	// --
}

// The lesson's Exemplo 02: a permanent session with a lifetime of two
// minutes that keeps a list of names. The cookie gets an Expires; each
// request slides it.
func Example_permanent() {
	m, err := session.New([]byte("Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe"))
	if err != nil {
		panic(err)
	}
	m.Lifetime = 2 * time.Minute
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	m.Now = func() time.Time { return now } // a fixed clock, for the output

	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.SetPermanent(true)
		if nome := r.FormValue("nome"); nome != "" {
			session.Append(s, "nomes", nome) // the lesson's session['nomes'].append(nome)
		}
		nomes, _ := session.Get[[]string](s, "nomes")
		fmt.Fprint(w, strings.Join(nomes, ", "))
	}))

	cookie := ""
	for _, nome := range []string{"Ana", "Rui", ""} {
		req := httptest.NewRequest("GET", "/?nome="+nome, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		set := rec.Result().Cookies()[0]
		cookie = set.Name + "=" + set.Value
		fmt.Printf("%-9q expires %s\n", rec.Body.String(), set.Expires.Format(time.TimeOnly))
		now = now.Add(time.Minute)
	}
	// Output:
	// "Ana"     expires 12:02:00
	// "Ana, Rui" expires 12:03:00
	// "Ana, Rui" expires 12:04:00
}

// Two tabs add a name to one server-side session at the same time: the
// second request loaded the list before the first saved it. Append is
// replayed on the list the first request saved, so both names are kept;
// a Get followed by a Set of the list would have been refused with 409
// instead of overwriting the first name.
func ExampleAppend() {
	m, err := session.New([]byte("Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe"))
	if err != nil {
		panic(err)
	}
	m.Store = memstore.New()
	loaded, hold := make(chan struct{}), make(chan struct{})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		nome := r.FormValue("nome")
		if nome == "Rui" {
			loaded <- struct{}{} // the session is loaded; let the other tab save
			<-hold
		}
		if err := session.Append(s, "nomes", nome); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	}))
	serve := func(nome, cookie string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/?nome="+nome, nil)
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	c := serve("Ana", "").Result().Cookies()[0]
	cookie := c.Name + "=" + c.Value

	done := make(chan int)
	go func() { done <- serve("Rui", cookie).Code }() // tab 1
	<-loaded
	fmt.Println("tab 2:", serve("Bia", cookie).Code)
	close(hold)
	fmt.Println("tab 1:", <-done)

	var nomes []string
	h = m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nomes, _ = session.Get[[]string](session.FromContext(r.Context()), "nomes")
	}))
	serve("", cookie)
	fmt.Println(nomes)
	// Output:
	// tab 2: 200
	// tab 1: 200
	// [Ana Bia Rui]
}

// Revocation of cookie sessions: the cookie records its owner's generation;
// DestroyAll (log out everywhere) moves the generation on, and every older
// cookie of that owner is refused.
func ExampleManager_DestroyAll() {
	m, err := session.New([]byte("Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe"))
	if err != nil {
		panic(err)
	}
	m.Generations = memstore.NewGenerations() // one process; use a shared one for several
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if r.URL.Path == "/login" {
			s.SetOwner("user-42") // a new owner: the session is renewed too
			s.Set("usuario", "Maria")
		}
		u, _ := session.Get[string](s, "usuario")
		fmt.Fprint(w, u)
	}))
	serve := func(path, cookie string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	c := serve("/login", "").Result().Cookies()[0]
	cookie := c.Name + "=" + c.Value
	fmt.Printf("before: %q\n", serve("/", cookie).Body)
	if err := m.DestroyAll(context.Background(), "user-42"); err != nil {
		panic(err)
	}
	fmt.Printf("after:  %q\n", serve("/", cookie).Body)
	// Output:
	// before: "Maria"
	// after:  ""
}

func ExampleCheckKey() {
	for _, key := range []string{"sua_chave_secreta_segura", "curta", "Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe"} {
		fmt.Println(session.CheckKey([]byte(key)))
	}
	// Output:
	// session: weak secret key: it is a published example key (fingerprint 362a833b) that attackers try first; make a random key with `sessionkit secret` (or Python's secrets.token_hex())
	// session: weak secret key: it has 5 bytes, and a key needs at least 32 random bytes; make a random key with `sessionkit secret` (or Python's secrets.token_hex())
	// <nil>
}

// Get converts what Flask's JSON holds (int64, float64, []any, ...) to the
// type asked for, and says when it cannot.
func ExampleGet() {
	m, err := session.New([]byte("Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe"))
	if err != nil {
		panic(err)
	}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Set("visitas", 3)
		s.Set("nomes", []string{"Ana", "Rui"})
		s.Set("nota", 9.5)

		n, ok := session.Get[uint8](s, "visitas")
		fmt.Println(n, ok)
		nomes, ok := session.Get[[]string](s, "nomes")
		fmt.Println(nomes, ok)
		nota, ok := session.Get[int](s, "nota") // 9.5 has a fraction
		fmt.Println(nota, ok)
		_, ok = session.Get[string](s, "ausente")
		fmt.Println(ok)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	// Output:
	// 3 true
	// [Ana Rui] true
	// 0 false
	// false
}

// Cross-site requests: the standard library's http.CrossOriginProtection,
// outside the session middleware, refuses a form another site posts (a
// login CSRF) with 403 before any handler runs, so no session cookie is
// set.
func ExampleManager_Handler_crossOriginProtection() {
	m, err := session.New([]byte("Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe"))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.SetOwner(r.PostFormValue("usuario"))
		s.Set("usuario", r.PostFormValue("usuario"))
	})
	h := http.NewCrossOriginProtection().Handler(m.Handler(mux))

	for _, site := range []string{"same-origin", "cross-site"} {
		req := httptest.NewRequest("POST", "/login", strings.NewReader("usuario=Maria"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", site) // as browsers send it
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(site, rec.Code, len(rec.Result().Cookies()))
	}
	// Output:
	// same-origin 200 1
	// cross-site 403 0
}

// A handler gets its own copy of what it reads from a cached session: a
// list changed in place, without Set or MarkModified, changes nothing for
// the next request bringing the same cookie. CacheEntries and CacheBytes
// size the cache (a negative value turns it off).
func ExampleManager_cache() {
	m, err := session.New([]byte("Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe")) // use your own random key
	if err != nil {
		panic(err)
	}
	m.CacheEntries = 10000  // sessions kept decoded
	m.CacheBytes = 32 << 20 // at most about 32 MiB of them
	cookie, _ := m.Codec().Encode(map[string]any{"nomes": []any{"Ana", "Bruno"}}, time.Now())
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nomes, _ := session.Get[[]any](session.FromContext(r.Context()), "nomes")
		fmt.Println(nomes)
		nomes[0] = "changed in place"
	}))
	for range 2 {
		req := httptest.NewRequest("GET", "/", nil)
		req.AddCookie(&http.Cookie{Name: "session", Value: cookie})
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	// Output:
	// [Ana Bruno]
	// [Ana Bruno]
}
