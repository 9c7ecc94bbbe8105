package session_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/memstore"
)

// lessonMux is Exemplo 01 of the lesson, plus a permanent counter.
func lessonMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("usuario", "Maria")
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
		session.FromContext(r.Context()).Pop("usuario")
		fmt.Fprint(w, "Usuário deslogado.")
	})
	mux.HandleFunc("/permanent", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.SetPermanent(true)
		n, _ := session.Get[int](s, "n")
		s.Set("n", n+1)
		fmt.Fprint(w, n+1)
	})
	mux.HandleFunc("/nothing", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("/read", func(w http.ResponseWriter, r *http.Request) {
		n, _ := session.Get[int](session.FromContext(r.Context()), "n")
		fmt.Fprint(w, n)
	})
	return mux
}

func TestLoginProfileLogout(t *testing.T) {
	f := newFixture(t)
	srv, c := f.server(t, lessonMux())

	if _, body := get(t, c, srv.URL+"/perfil"); body != "Nenhum usuário logado." {
		t.Fatalf("before login: %q", body)
	}
	resp, _ := get(t, c, srv.URL+"/login")
	line := sessionCookie(resp.Header, "session")
	if line == "" {
		t.Fatal("login set no cookie")
	}
	// A non-permanent session is a browser-session cookie: no Expires, no Max-Age.
	if strings.Contains(line, "Expires") || strings.Contains(line, "Max-Age") {
		t.Errorf("non-permanent cookie carries a lifetime: %s", line)
	}
	for _, attr := range []string{"; Path=/", "; HttpOnly", "; SameSite=Lax"} {
		if !strings.Contains(line, attr) {
			t.Errorf("cookie lacks %q: %s", attr, line)
		}
	}
	if _, body := get(t, c, srv.URL+"/perfil"); body != "Bem-vindo, Maria!" {
		t.Fatalf("after login: %q", body)
	}
	resp, _ = get(t, c, srv.URL+"/logout")
	line = sessionCookie(resp.Header, "session")
	want := "session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Lax"
	if line != want {
		t.Errorf("logout cookie\n got %s\nwant %s", line, want)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("logout Cache-Control = %q, want no-store", cc)
	}
	if _, body := get(t, c, srv.URL+"/perfil"); body != "Nenhum usuário logado." {
		t.Fatalf("after logout: %q", body)
	}
	// Logging out again pops nothing: no cookie at all (Flask's pop rule).
	resp, _ = get(t, c, srv.URL+"/logout")
	if line := sessionCookie(resp.Header, "session"); line != "" {
		t.Errorf("second logout sent %s", line)
	}
}

// TestSetCookieRules checks when Set-Cookie, Vary and Cache-Control are
// sent (FLASK_SESSION_SPEC.md §7, SECURITY.md ADV-01, ADV-02).
func TestSetCookieRules(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	plain := f.mint(t, map[string]any{"a": "b"}, now)
	perm := f.mint(t, map[string]any{"a": "b", "_permanent": true}, now)
	tests := []struct {
		name       string
		cookie     string
		refresh    bool
		handler    func(s *session.Session)
		wantCookie string // "", "set", "delete"
		wantVary   bool
	}{
		{"untouched, no cookie", "", true, func(s *session.Session) {}, "", false},
		{"untouched, cookie", "session=" + plain, true, func(s *session.Session) {}, "", false},
		{"Get", "session=" + plain, true, func(s *session.Session) { session.Get[string](s, "a") }, "", true},
		{"Has", "session=" + plain, true, func(s *session.Session) { s.Has("a") }, "", true},
		{"Len", "session=" + plain, true, func(s *session.Session) { s.Len() }, "", true},
		{"All", "session=" + plain, true, func(s *session.Session) {
			for range s.All() {
			}
		}, "", true},
		{"Permanent", "session=" + plain, true, func(s *session.Session) { s.Permanent() }, "", true},
		{"Owner", "session=" + plain, true, func(s *session.Session) { s.Owner() }, "", true},
		{"Pop missing", "session=" + plain, true, func(s *session.Session) { s.Pop("zz") }, "", true},
		{"Set", "", true, func(s *session.Session) { s.Set("x", 1) }, "set", true},
		{"Set same value", "session=" + plain, true, func(s *session.Session) { s.Set("a", "b") }, "set", true},
		{"SetPermanent false", "", true, func(s *session.Session) { s.SetPermanent(false) }, "set", true},
		{"Pop last key", "session=" + plain, true, func(s *session.Session) { s.Pop("a") }, "delete", true},
		{"Clear", "session=" + plain, true, func(s *session.Session) { s.Clear() }, "delete", true},
		{"Clear without cookie", "", true, func(s *session.Session) { s.Clear() }, "delete", true},
		{"Destroy", "session=" + plain, true, func(s *session.Session) { s.Destroy() }, "delete", true},
		{"permanent untouched refreshes", "session=" + perm, true, func(s *session.Session) {}, "set", true},
		{"permanent untouched, refresh off", "session=" + perm, false, func(s *session.Session) {}, "", false},
		{"permanent modified, refresh off", "session=" + perm, false, func(s *session.Session) { s.Set("c", "d") }, "set", true},
		{"MarkModified", "session=" + plain, true, func(s *session.Session) { s.MarkModified() }, "set", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.m.RefreshEachRequest = tt.refresh
			rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {
				tt.handler(session.FromContext(r.Context()))
			}, tt.cookie)
			line := sessionCookie(rec.Header(), "session")
			got := ""
			switch {
			case strings.HasPrefix(line, "session=;"):
				got = "delete"
			case line != "":
				got = "set"
			}
			if got != tt.wantCookie {
				t.Errorf("Set-Cookie = %q, want %s", line, tt.wantCookie)
			}
			if vary := rec.Header().Get("Vary") == "Cookie"; vary != tt.wantVary {
				t.Errorf("Vary = %q, want Cookie: %v", rec.Header().Values("Vary"), tt.wantVary)
			}
			cc := rec.Header().Get("Cache-Control")
			if line != "" && (!strings.Contains(cc, `no-cache="Set-Cookie"`) || !strings.Contains(cc, "private")) {
				t.Errorf("Set-Cookie without the cache directives: Cache-Control = %q", cc)
			}
			if line == "" && cc != "" {
				t.Errorf("Cache-Control %q without Set-Cookie", cc)
			}
		})
	}
}

func TestVaryAndCacheControlMerge(t *testing.T) {
	f := newFixture(t)
	rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Vary", "Accept-Encoding")
		w.Header().Set("Cache-Control", "public, max-age=60")
		session.FromContext(r.Context()).Set("k", "v")
		w.Write([]byte("x"))
	}, "")
	if got := rec.Header().Values("Vary"); len(got) != 2 || got[0] != "Accept-Encoding" || got[1] != "Cookie" {
		t.Errorf("Vary = %q, want Accept-Encoding then Cookie", got)
	}
	if got, want := rec.Header().Get("Cache-Control"), `max-age=60, private, no-cache="Set-Cookie"`; got != want {
		t.Errorf("Cache-Control = %q, want %q", got, want)
	}
	// Vary already naming Cookie (any case) or "*" is left alone.
	for _, vary := range []string{"cookie", "Accept, Cookie", "*"} {
		rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Vary", vary)
			session.FromContext(r.Context()).Set("k", "v")
		}, "")
		if got := rec.Header().Values("Vary"); len(got) != 1 || got[0] != vary {
			t.Errorf("Vary %q became %q", vary, got)
		}
	}
}

func TestPermanentLifetime(t *testing.T) {
	f := newFixture(t)
	f.m.Lifetime = 2 * time.Minute
	srv, c := f.server(t, lessonMux())
	start := f.clock.Now()

	resp, _ := get(t, c, srv.URL+"/permanent")
	line := sessionCookie(resp.Header, "session")
	wantExp := "Expires=" + start.Add(2*time.Minute).UTC().Format(http.TimeFormat)
	if !strings.Contains(line, wantExp) || strings.Contains(line, "Max-Age") {
		t.Fatalf("permanent cookie %q: want %s and no Max-Age", line, wantExp)
	}
	// Read-only requests refresh: the expiry slides with each of them.
	for i := 1; i <= 3; i++ {
		f.clock.Add(2 * time.Minute) // exactly the lifetime: still valid (age == max_age)
		resp, body := get(t, c, srv.URL+"/read")
		if body != "1" {
			t.Fatalf("refresh %d: session lost, body %q", i, body)
		}
		want := "Expires=" + f.clock.Now().Add(2*time.Minute).UTC().Format(http.TimeFormat)
		if line := sessionCookie(resp.Header, "session"); !strings.Contains(line, want) {
			t.Fatalf("refresh %d: cookie %q, want %s", i, line, want)
		}
	}
	// One second past the lifetime: refused, anonymous.
	f.clock.Add(2*time.Minute + time.Second)
	if _, body := get(t, c, srv.URL+"/read"); body != "0" {
		t.Fatalf("expired session still read: %q", body)
	}
}

// TestNonPermanentMaxAge: a browser-session cookie is refused once Lifetime
// has passed since it was written, as in Flask (SECURITY.md ADV-23).
func TestNonPermanentMaxAge(t *testing.T) {
	f := newFixture(t)
	f.m.Lifetime = time.Hour
	srv, c := f.server(t, lessonMux())
	get(t, c, srv.URL+"/login")
	f.clock.Add(time.Hour)
	if _, body := get(t, c, srv.URL+"/perfil"); body != "Bem-vindo, Maria!" {
		t.Fatalf("at exactly Lifetime: %q", body)
	}
	f.clock.Add(time.Second)
	if _, body := get(t, c, srv.URL+"/perfil"); body != "Nenhum usuário logado." {
		t.Fatalf("past Lifetime: %q", body)
	}
}

func TestFutureTimestampRefused(t *testing.T) {
	f := newFixture(t)
	v := f.mint(t, map[string]any{"usuario": "Maria"}, f.clock.Now().Add(time.Second))
	rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, session.FromContext(r.Context()).Has("usuario"))
	}, "session="+v)
	if rec.Body.String() != "false" {
		t.Error("a cookie from the future was accepted")
	}
}

// TestCheapRefresh: refreshing an untouched permanent session keeps the
// payload bytes and changes only timestamp and signature.
func TestCheapRefresh(t *testing.T) {
	f := newFixture(t)
	v := f.mint(t, map[string]any{"_permanent": true, "nomes": []any{"Ana", "Rui"}}, f.clock.Now())
	f.clock.Add(10 * time.Second)
	rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {}, "session="+v)
	got := cookieValue(rec.Header(), "session")
	if got == "" || got == v {
		t.Fatalf("no refresh: %q", got)
	}
	p0, _ := flask.Parse(v)
	p1, err := flask.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	if p0.Payload != p1.Payload || p1.Timestamp != f.clock.Now().Unix() {
		t.Errorf("refresh changed the payload or kept the time: %+v -> %+v", p0, p1)
	}
}

func TestFallbackKeyReissued(t *testing.T) {
	old := []byte("Old-key-rotated-out-7Qm2Vx9Lp4Rk8Tz")
	oldM, err := session.New(old)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	v, err := oldM.Codec().Encode(map[string]any{"usuario": "Maria", "_permanent": true}, now)
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New([]byte(testKey), old)
	if err != nil {
		t.Fatal(err)
	}
	m.Now = func() time.Time { return now }
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "session="+v)
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, session.FromContext(r.Context()).Has("usuario"))
	})).ServeHTTP(rec, req)
	if rec.Body.String() != "true" {
		t.Fatal("cookie signed with the fallback key refused")
	}
	nv := cookieValue(rec.Header(), "session")
	cur, _ := session.New([]byte(testKey))
	if _, err := cur.Codec().Decode(nv, now); err != nil {
		t.Errorf("refreshed cookie is not signed with the current key: %v", err)
	}
	if _, err := oldM.Codec().Decode(nv, now); err == nil {
		t.Error("refreshed cookie still verifies with the old key")
	}
}

func TestFlashes(t *testing.T) {
	f := newFixture(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/flash", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Flash("message", "Olá")
		s.Flash("error", "Falhou")
	})
	mux.HandleFunc("/show", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		first := s.Flashes()
		again := s.Flashes() // same request: same messages, as Flask caches them
		fmt.Fprintf(w, "%v|%v", first, again)
	})
	srv, c := f.server(t, mux)
	resp, _ := get(t, c, srv.URL+"/flash")
	got := f.decode(t, cookieValue(resp.Header, "session"))
	want := map[string]any{"_flashes": []any{flask.Tuple{"message", "Olá"}, flask.Tuple{"error", "Falhou"}}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("wire data %v, want %v", got, want)
	}
	js, _ := flask.Marshal(got)
	if string(js) != `{"_flashes":[{" t":["message","Ol\u00e1"]},{" t":["error","Falhou"]}]}` {
		t.Errorf("JSON %s", js)
	}
	resp, body := get(t, c, srv.URL+"/show")
	if body != "[{message Olá} {error Falhou}]|[{message Olá} {error Falhou}]" {
		t.Errorf("shown %q", body)
	}
	// _flashes was the only key: the cookie goes.
	if line := sessionCookie(resp.Header, "session"); !strings.HasPrefix(line, "session=;") {
		t.Errorf("after reading flashes: %q", line)
	}
	if _, body := get(t, c, srv.URL+"/show"); body != "[]|[]" {
		t.Errorf("flashes shown twice: %q", body)
	}
}

func TestTooLarge(t *testing.T) {
	f := newFixture(t)
	big := randomText(6000)
	mux := http.NewServeMux()
	mux.HandleFunc("/small", func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("small", "ok")
	})
	var writeErr error
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("big", big)
		_, writeErr = w.Write([]byte("handler output"))
	})
	mux.HandleFunc("/read", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		fmt.Fprint(w, s.Has("small"), s.Has("big"))
	})
	srv, c := f.server(t, mux)
	get(t, c, srv.URL+"/small")
	resp, body := get(t, c, srv.URL+"/big")
	if resp.StatusCode != 500 || strings.Contains(body, "handler output") {
		t.Errorf("oversize: status %d body %q; want 500 without the handler's output", resp.StatusCode, body)
	}
	if line := sessionCookie(resp.Header, "session"); line != "" {
		t.Errorf("oversize sent a cookie: %.80s", line)
	}
	if writeErr == nil {
		t.Error("the handler's Write after a failed save returned no error")
	}
	if _, body := get(t, c, srv.URL+"/read"); body != "true false" {
		t.Errorf("previous cookie not kept: %q", body)
	}
	logs := f.logs.String()
	if !regexp.MustCompile(`cookie too large: \d+ bytes`).MatchString(logs) || !strings.Contains(logs, "Store") {
		t.Errorf("log lacks size or advice:\n%s", logs)
	}
}

// TestMaxCookieSizeBoundary: name+value of exactly MaxCookieSize is
// written; one byte more is an error (SECURITY.md PL-01).
func TestMaxCookieSizeBoundary(t *testing.T) {
	f := newFixture(t)
	vals := map[string]any{"v": randomText(1500)}
	now := f.clock.Now()
	exact := len("session") + len(f.mint(t, vals, now))
	for _, tt := range []struct {
		limit int
		ok    bool
	}{{exact, true}, {exact - 1, false}} {
		f.m.MaxCookieSize = tt.limit
		var got error
		f.m.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
			got = err
			http.Error(w, "too big", 500)
		}
		rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {
			session.FromContext(r.Context()).Set("v", vals["v"])
		}, "")
		var tl *session.CookieTooLargeError
		if tt.ok && (got != nil || sessionCookie(rec.Header(), "session") == "") {
			t.Errorf("limit %d (= size): err %v", tt.limit, got)
		}
		if !tt.ok && (!errors.As(got, &tl) || tl.Size != exact || tl.Limit != exact-1 || !errors.Is(got, session.ErrCookieTooLarge)) {
			t.Errorf("limit %d: err %v, want CookieTooLargeError{%d, %d}", tt.limit, got, exact, exact-1)
		}
	}
}

func TestAbsoluteTimeout(t *testing.T) {
	f := newFixture(t)
	f.m.Lifetime = 30 * time.Minute
	f.m.AbsoluteTimeout = 12 * time.Hour
	srv, c := f.server(t, lessonMux())
	start := f.clock.Now()
	get(t, c, srv.URL+"/permanent")
	if got := f.decode(t, jarValue(t, c, srv.URL, "session"))["_sk_created"]; got != start.Unix() {
		t.Fatalf("_sk_created = %v, want %d", got, start.Unix())
	}
	// Active every 10 minutes: the idle limit never hits.
	for f.clock.Now().Sub(start) < 12*time.Hour {
		f.clock.Add(10 * time.Minute)
		if f.clock.Now().Sub(start) > 12*time.Hour {
			break
		}
		if _, body := get(t, c, srv.URL+"/read"); body != "1" {
			t.Fatalf("lost at %v: %q", f.clock.Now().Sub(start), body)
		}
	}
	f.clock.Add(start.Add(12*time.Hour + time.Second).Sub(f.clock.Now()))
	if _, body := get(t, c, srv.URL+"/read"); body != "0" {
		t.Fatalf("alive after the absolute timeout: %q", body)
	}
	// Handlers never see the reserved key.
	rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {
		for k := range session.FromContext(r.Context()).All() {
			fmt.Fprint(w, k, " ")
		}
	}, "session="+f.mint(t, map[string]any{"a": 1, "_sk_created": f.clock.Now().Unix()}, f.clock.Now()))
	if rec.Body.String() != "a " {
		t.Errorf("All shows %q", rec.Body.String())
	}
}

// TestAbsoluteTimeoutStartsForForeignCookie: a cookie without _sk_created
// (from Flask, or before the option) gets one on its first request.
func TestAbsoluteTimeoutStartsForForeignCookie(t *testing.T) {
	f := newFixture(t)
	f.m.AbsoluteTimeout = time.Hour
	v := f.mint(t, map[string]any{"usuario": "Maria"}, f.clock.Now())
	rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {}, "session="+v)
	nv := cookieValue(rec.Header(), "session")
	if nv == "" {
		t.Fatal("no cookie written to start the absolute clock")
	}
	if got := f.decode(t, nv)["_sk_created"]; got != f.clock.Now().Unix() {
		t.Errorf("_sk_created = %v", got)
	}
}

func TestRenew(t *testing.T) {
	f := newFixture(t)
	mux := lessonMux()
	mux.HandleFunc("/renew", func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Renew()
	})
	srv, c := f.server(t, mux)
	get(t, c, srv.URL+"/login")
	v1 := jarValue(t, c, srv.URL, "session")
	get(t, c, srv.URL+"/renew")
	v2 := jarValue(t, c, srv.URL, "session")
	get(t, c, srv.URL+"/renew")
	v3 := jarValue(t, c, srv.URL, "session")
	n2, n3 := f.decode(t, v2)["_sk_id"], f.decode(t, v3)["_sk_id"]
	if v1 == v2 || v2 == v3 || n2 == nil || n2 == n3 {
		t.Errorf("Renew did not change the identity: %v %v", n2, n3)
	}
	if _, body := get(t, c, srv.URL+"/perfil"); body != "Bem-vindo, Maria!" {
		t.Errorf("Renew lost data: %q", body)
	}
}

func TestRevocation(t *testing.T) {
	f := newFixture(t)
	gens := memstore.NewGenerations()
	f.m.Generations = gens
	mux := lessonMux()
	mux.HandleFunc("/login-owned", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.SetOwner("u1")
		s.Set("usuario", "Maria")
	})
	mux.HandleFunc("/destroy", func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Destroy()
	})
	mux.HandleFunc("/owner", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, session.FromContext(r.Context()).Owner())
	})
	srv, c := f.server(t, mux)
	get(t, c, srv.URL+"/login-owned")
	v1 := jarValue(t, c, srv.URL, "session")
	if _, body := get(t, c, srv.URL+"/owner"); body != "u1" {
		t.Fatalf("owner %q", body)
	}
	// replay presents a copied cookie value, outside the browser's jar.
	replay := func(v string) string {
		req := httptest.NewRequest("GET", "/perfil", nil)
		req.Header.Set("Cookie", "session="+v)
		rec := httptest.NewRecorder()
		f.m.Handler(mux).ServeHTTP(rec, req)
		return rec.Body.String()
	}
	if got := replay(v1); got != "Bem-vindo, Maria!" {
		t.Fatalf("copy before logout: %q", got)
	}
	// Logout (Destroy) revokes copies of the cookie.
	get(t, c, srv.URL+"/destroy")
	if got := replay(v1); got != "Nenhum usuário logado." {
		t.Errorf("copy after Destroy still works: %q", got)
	}
	// Log in again, then log out everywhere.
	get(t, c, srv.URL+"/login-owned")
	v2 := jarValue(t, c, srv.URL, "session")
	if got := replay(v2); got != "Bem-vindo, Maria!" {
		t.Fatalf("new login: %q", got)
	}
	if err := f.m.DestroyAll(t.Context(), "u1"); err != nil {
		t.Fatal(err)
	}
	if got := replay(v2); got != "Nenhum usuário logado." {
		t.Errorf("cookie after DestroyAll still works: %q", got)
	}
	if g, _ := gens.Generation(t.Context(), "u1"); g != 2 {
		t.Errorf("generation %d, want 2 (one Destroy, one DestroyAll; logins leave it)", g)
	}
}

// failingGenerations fails every call.
type failingGenerations struct{}

var errDown = errors.New("generations backend down")

func (failingGenerations) Generation(ctx context.Context, owner string) (uint64, error) {
	return 0, errDown
}
func (failingGenerations) Bump(ctx context.Context, owner string) (uint64, error) { return 0, errDown }

func TestGenerationsOutage(t *testing.T) {
	f := newFixture(t)
	f.m.Generations = failingGenerations{}
	v := f.mint(t, map[string]any{"usuario": "Maria", "_sk_owner": "u1", "_sk_gen": int64(0)}, f.clock.Now())
	ran := false
	rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) { ran = true }, "session="+v)
	if ran || rec.Code != 503 || sessionCookie(rec.Header(), "session") != "" {
		t.Errorf("outage: handler ran %v, status %d, Set-Cookie %q; want 503 before the handler, no cookie",
			ran, rec.Code, sessionCookie(rec.Header(), "session"))
	}
	// Without an owner there is nothing to check: the session loads.
	v = f.mint(t, map[string]any{"usuario": "Maria"}, f.clock.Now())
	rec = f.serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }, "session="+v)
	if rec.Code != 200 {
		t.Errorf("ownerless session: %d", rec.Code)
	}
}

func TestCacheControlMerge(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		handler string // Cache-Control the handler sets
		clear   bool   // the handler ends the session
		want    string
	}{
		{"", false, `private, no-cache="Set-Cookie"`},
		{"", true, `private, no-cache="Set-Cookie", no-store`},
		{"no-store", false, "no-store"},
		{"no-cache", false, "no-cache, private"},
		{`no-cache="Authorization"`, false, `no-cache="Authorization", private, no-cache="Set-Cookie"`},
		{"public, max-age=600, immutable", false, `max-age=600, immutable, private, no-cache="Set-Cookie"`},
		{"private, max-age=0", true, `private, max-age=0, no-cache="Set-Cookie", no-store`},
	} {
		rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {
			if tt.handler != "" {
				w.Header().Set("Cache-Control", tt.handler)
			}
			s := session.FromContext(r.Context())
			if tt.clear {
				s.Clear()
			} else {
				s.Set("k", "v")
			}
		}, "")
		if got := rec.Header().Get("Cache-Control"); got != tt.want {
			t.Errorf("handler %q clear %v: Cache-Control %q, want %q", tt.handler, tt.clear, got, tt.want)
		}
	}
}

// TestExpiresCappedByAbsoluteTimeout: a permanent cookie does not outlive
// the session's absolute end.
func TestExpiresCappedByAbsoluteTimeout(t *testing.T) {
	f := newFixture(t)
	f.m.Lifetime = time.Hour
	f.m.AbsoluteTimeout = 90 * time.Minute
	srv, c := f.server(t, lessonMux())
	start := f.clock.Now()
	get(t, c, srv.URL+"/permanent")
	f.clock.Add(50 * time.Minute)
	get(t, c, srv.URL+"/read")
	f.clock.Add(30 * time.Minute)
	resp, body := get(t, c, srv.URL+"/permanent")
	if body != "2" {
		t.Fatalf("session lost: %q", body)
	}
	want := "Expires=" + start.Add(90*time.Minute).UTC().Format(http.TimeFormat)
	if line := sessionCookie(resp.Header, "session"); !strings.Contains(line, want) {
		t.Errorf("cookie %q, want %s", line, want)
	}
}

func TestFlashDefaultCategory(t *testing.T) {
	f := newFixture(t)
	rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Flash("", "Olá")
	}, "")
	got := f.decode(t, cookieValue(rec.Header(), "session"))["_flashes"]
	if fmt.Sprint(got) != "[[message Olá]]" {
		t.Errorf("_flashes = %v", got)
	}
}

// TestDestroyThenFlash: logging out and leaving a message for the next page
// ends the owner's cookies and keeps only the message.
func TestDestroyThenFlash(t *testing.T) {
	f := newFixture(t)
	gens := memstore.NewGenerations()
	f.m.Generations = gens
	v := f.mint(t, map[string]any{"usuario": "Maria", "_sk_owner": "u1", "_sk_gen": int64(0)}, f.clock.Now())
	rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Destroy()
		s.Flash("message", "Até logo!")
	}, "session="+v)
	got := f.decode(t, cookieValue(rec.Header(), "session"))
	if fmt.Sprint(got) != "map[_flashes:[[message Até logo!]]]" {
		t.Errorf("after Destroy and Flash: %v", got)
	}
	if g, _ := gens.Generation(t.Context(), "u1"); g != 1 {
		t.Errorf("generation %d after Destroy, want 1", g)
	}
}

// TestLoginKeepsOtherSessions: a login (SetOwner, which renews) leaves the
// owner's other cookies valid; DestroyAll then Renew ends them and keeps
// the current one.
func TestLoginKeepsOtherSessions(t *testing.T) {
	for _, tt := range []struct {
		name       string
		everywhere bool
		wantOther  string
	}{{"login", false, "Maria"}, {"login ending the others", true, "anon"}} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.m.Generations = memstore.NewGenerations()
			login := func(w http.ResponseWriter, r *http.Request) {
				s := session.FromContext(r.Context())
				s.SetOwner("u1")
				if tt.everywhere {
					if err := f.m.DestroyAll(r.Context(), "u1"); err != nil {
						t.Error(err)
					}
					s.Renew()
				}
				s.Set("usuario", "Maria")
			}
			other := cookieValue(f.serve(t, login, "").Header(), "session")
			this := cookieValue(f.serve(t, login, "").Header(), "session")
			if got := f.serve(t, whoHandler, "session="+other).Body.String(); got != tt.wantOther {
				t.Errorf("the other browser's session after a second login: %q, want %q", got, tt.wantOther)
			}
			if got := f.serve(t, whoHandler, "session="+this).Body.String(); got != "Maria" {
				t.Errorf("the session that logged in: %q, want Maria", got)
			}
		})
	}
}
