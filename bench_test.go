package session_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	session "github.com/sessionkit/session"
)

// The workloads of the flask package's benchmarks: the lesson's Exemplo 01
// session (small) and Exemplo 02's permanent name list with 30 (medium) and
// 150 names (large).
var benchNames = []string{
	"Ana", "Bruno", "Carla", "Daniel", "Eduarda", "Felipe", "Gabriela", "Heitor", "Isabela", "João",
	"Karina", "Lucas", "Mariana", "Nicolas", "Olívia", "Pedro", "Quitéria", "Rafael", "Sofia", "Tiago",
	"Ursula", "Vitor", "Wagner", "Xavier", "Yasmin", "Zeca", "Alice", "Bernardo", "Cecília", "Davi",
}

func benchWorkloads() []struct {
	name string
	v    map[string]any
} {
	list := func(n int) []any {
		l := make([]any, n)
		for i := range l {
			l[i] = benchNames[i%len(benchNames)]
		}
		return l
	}
	return []struct {
		name string
		v    map[string]any
	}{
		{"small", map[string]any{"usuario": "Maria", "_permanent": true}},
		{"medium", map[string]any{"usuario": "Maria", "nomes": list(30), "_permanent": true}},
		{"large", map[string]any{"usuario": "Maria", "nomes": list(150), "_permanent": true}},
	}
}

// benchWriter is a ResponseWriter that keeps nothing, so that the figures
// are the middleware's.
type benchWriter struct{ h http.Header }

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *benchWriter) WriteHeader(int)             {}

// BenchmarkRoundTrip measures one request through the middleware:
// bare (the handler alone), read (load, Get, no Set-Cookie), refresh (load,
// Get, re-sign the unchanged permanent cookie) and write (load, Get, Set,
// encode).
func BenchmarkRoundTrip(b *testing.B) {
	now := time.Unix(1700000000, 0)
	for _, wl := range benchWorkloads() {
		m, err := session.New([]byte(testKey))
		if err != nil {
			b.Fatal(err)
		}
		m.Now = func() time.Time { return now }
		cookie, err := m.Codec().Encode(wl.v, now)
		if err != nil {
			b.Fatal(err)
		}
		read := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := session.FromContext(r.Context())
			if _, ok := session.Get[string](s, "usuario"); !ok {
				b.Fatal("no session")
			}
			io.WriteString(w, "ok")
		})
		write := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := session.FromContext(r.Context())
			u, _ := session.Get[string](s, "usuario")
			s.Set("usuario", u)
			io.WriteString(w, "ok")
		})
		bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "ok")
		})
		cases := []struct {
			name       string
			h          http.Handler
			refresh    bool
			setsCookie bool
		}{
			{"bare", bare, false, false},
			{"read", read, false, false},
			{"refresh", read, true, true},
			{"write", write, false, true},
		}
		for _, c := range cases {
			h := c.h
			if c.name != "bare" {
				m.RefreshEachRequest = c.refresh
				h = m.Handler(c.h)
			}
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Cookie", "session="+cookie)
			w := &benchWriter{h: http.Header{}}
			b.Run(wl.name+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					clear(w.h)
					h.ServeHTTP(w, req)
				}
				if got := w.h.Get("Set-Cookie") != ""; got != c.setsCookie {
					b.Fatalf("Set-Cookie present %v, want %v", got, c.setsCookie)
				}
			})
		}
	}
}
