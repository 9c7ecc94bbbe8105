package session_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/memstore"
)

// TestUpdateFunctions: Update, Append and Add change the session as a Get
// and a Set would, refuse the reserved keys and values of another type,
// and change nothing when they refuse.
func TestUpdateFunctions(t *testing.T) {
	f := newFixture(t)
	start := f.mint(t, map[string]any{"nomes": []any{"Ana"}, "n": int64(41), "texto": "oi"}, f.clock.Now())
	var errs []error
	rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if err := session.Append(s, "nomes", "Bia", "Caio"); err != nil {
			t.Error(err)
		}
		if n, err := session.Add(s, "n", 1); n != 42 || err != nil {
			t.Errorf("Add = %d, %v; want 42", n, err)
		}
		up, err := session.Update(s, "texto", func(old string) string { return old + "!" })
		if up != "oi!" || err != nil {
			t.Errorf("Update = %q, %v", up, err)
		}
		if n, err := session.Add(s, "novo", -3); n != -3 || err != nil {
			t.Errorf("Add to an absent key = %d, %v", n, err)
		}
		_, err1 := session.Add(s, "texto", 1)
		err2 := session.Append(s, "n", 1)
		_, err3 := session.Update(s, "nomes", func(old int) int { return old })
		err4 := session.Append(s, "_sk_owner", "mallory")
		_, err5 := session.Update(s, "f", func(old any) any { return func() {} })
		errs = []error{err1, err2, err3, err4, err5}
	}, "session="+start)
	for i, want := range []error{session.ErrType, session.ErrType, session.ErrType, session.ErrReservedKey, flask.ErrUnsupported} {
		if !errors.Is(errs[i], want) {
			t.Errorf("refused update %d: %v, want %v", i, errs[i], want)
		}
	}
	got := f.decode(t, cookieValue(rec.Header(), "session"))
	if s := fmt.Sprint(got); s != "map[n:42 nomes:[Ana Bia Caio] novo:-3 texto:oi!]" {
		t.Errorf("session after the updates: %s", s)
	}
}

// TestAddOverflow: Add refuses a sum beyond int64 and leaves the value.
func TestAddOverflow(t *testing.T) {
	f := newFixture(t)
	start := f.mint(t, map[string]any{"n": int64(1<<63 - 1)}, f.clock.Now())
	rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {
		if _, err := session.Add(session.FromContext(r.Context()), "n", 1); !errors.Is(err, session.ErrType) {
			t.Errorf("overflowing Add: %v", err)
		}
	}, "session="+start)
	if sessionCookie(rec.Header(), "session") != "" {
		t.Error("a refused Add wrote the cookie")
	}
}

// TestFlashesKeepWhatGoCannotShow: a flash Flask stored with a message
// that is not a string is left in the session for Flask when Go shows the
// others.
func TestFlashesKeepWhatGoCannotShow(t *testing.T) {
	f := newFixture(t)
	start := f.mint(t, map[string]any{"_flashes": []any{
		flask.Tuple{"message", "Olá"}, flask.Tuple{"info", int64(42)}, flask.Tuple{"warning", "Cuidado"},
	}}, f.clock.Now())
	var shown []session.Flash
	rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {
		shown = session.FromContext(r.Context()).Flashes()
	}, "session="+start)
	if fmt.Sprint(shown) != "[{message Olá} {warning Cuidado}]" {
		t.Errorf("Flashes = %v", shown)
	}
	got := f.decode(t, cookieValue(rec.Header(), "session"))
	if s := fmt.Sprint(got); s != "map[_flashes:[[info 42]]]" {
		t.Errorf("session after Flashes: %s; want the non-string flash kept", s)
	}
}

// TestHandlerSnapshot: Handler works on a copy of the Manager's fields and
// codec: changing them afterwards changes nothing, and the Manager's codec
// is never written.
func TestHandlerSnapshot(t *testing.T) {
	f := newFixture(t)
	before := *f.m.Codec()
	f.m.Lifetime = time.Hour
	h := f.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.SetPermanent(true)
		s.Set("a", "b")
	}))
	if *f.m.Codec() != before {
		t.Error("Handler changed the Manager's codec")
	}
	f.m.Lifetime = 24 * time.Hour
	f.m.Cookie.Name = "other"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	line := sessionCookie(rec.Header(), "session")
	if line == "" {
		t.Fatalf("no session cookie: %v", rec.Header())
	}
	want := f.clock.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	if !strings.Contains(line, "Expires="+want) {
		t.Errorf("cookie %q; want the Lifetime Handler saw (Expires=%s)", line, want)
	}
}

// TestDefaultErrorStatuses: the default ErrorHandler's statuses.
func TestDefaultErrorStatuses(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want int
	}{
		{&session.ConflictError{Keys: []string{"n"}}, http.StatusConflict},
		{&session.ConflictError{Gone: true}, http.StatusConflict},
		{fmt.Errorf("x: %w", session.ErrStoreUnavailable), http.StatusServiceUnavailable},
		{&session.CookieTooLargeError{Size: 5000, Limit: 4096}, http.StatusInternalServerError},
		{&session.RecordTooLargeError{Size: 5000, Limit: 4096}, http.StatusInternalServerError},
	} {
		if got := session.StatusOf(tt.err); got != tt.want {
			t.Errorf("StatusOf(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

// TestLegacyIDCookie: an ID cookie signed the way earlier versions did
// (with the data cookies' signer) is still read, and comes back signed
// with the ID signer, which Flask's signer refuses.
func TestLegacyIDCookie(t *testing.T) {
	f := newFixture(t)
	store := memstore.New()
	f.m.Store = store
	srv, _ := f.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if r.URL.Path == "/set" {
			s.Set("usuario", "Maria")
		}
		v, _ := session.Get[string](s, "usuario")
		fmt.Fprint(w, v)
	}))
	rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("usuario", "Maria")
	}, "")
	current := cookieValue(rec.Header(), "session")
	id, _, _ := strings.Cut(strings.TrimPrefix(current, "sk~"), ".")
	legacy := f.m.Codec().Signer().Sign("sk~"+id, f.clock.Now())
	if _, _, _, err := f.m.Codec().Signer().Unsign(current); !errors.Is(err, flask.ErrSignature) {
		t.Errorf("Flask's signer on a current ID cookie: %v; want a bad signature", err)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/", nil)
	req.Header.Set("Cookie", "session="+legacy)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var reissued string
	for _, c := range resp.Cookies() {
		if c.Name == "session" {
			reissued = c.Value
		}
	}
	if reissued == "" || !strings.HasPrefix(reissued, "sk~"+id+".") {
		t.Fatalf("a legacy ID cookie came back as %q; want the same ID re-signed", reissued)
	}
	if _, _, _, err := f.m.IDSigner().Unsign(reissued); err != nil {
		t.Errorf("the re-issued cookie: %v", err)
	}
}
