package session_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/memstore"
)

// FuzzLoad feeds arbitrary Cookie headers to the middleware: whatever the
// header, the handler runs with a usable session, the response is not an
// error, and a handler that only reads sets no cookie.
func FuzzLoad(f *testing.F) {
	m, err := session.New([]byte(testKey))
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1700000000, 0)
	m.Now = func() time.Time { return now }
	m.AbsoluteTimeout = time.Hour
	m.Generations = memstore.NewGenerations()
	m.Logger = newTextLogger(discard{})
	valid, _ := m.Codec().Encode(map[string]any{"usuario": "Maria", "_flashes": []any{"x"}}, now)
	owned, _ := m.Codec().Encode(map[string]any{"_sk_owner": "u", "_sk_gen": int64(0), "_sk_created": now.Unix()}, now)
	for _, seed := range []string{
		"", "session=" + valid, "session=" + owned, "session=" + valid + "; session=" + owned,
		"session=" + valid + "x", "session=.eJw.AAAA.BBBB", "session", "=;;;", "session=" + strings.Repeat("A", 5000),
		"a=1; session=" + valid[:len(valid)/2],
	} {
		f.Add(seed)
	}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		for range s.All() {
		}
		s.Flashes()
		session.Get[[]string](s, "nomes")
		s.Permanent()
		s.Owner()
	}))
	f.Fuzz(func(t *testing.T, cookie string) {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("status %d for Cookie %q", rec.Code, cookie)
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
