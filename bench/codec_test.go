package bench

import (
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/flask/kzlib"
)

// gobValues is w's content in the types gob-based libraries naturally
// hold: []string instead of []any.
func gobValues(v map[string]any) map[string]any {
	out := make(map[string]any, len(v))
	for k, x := range v {
		if l, ok := x.([]any); ok {
			s := make([]string, len(l))
			for i, e := range l {
				s[i] = e.(string)
			}
			x = s
		}
		out[k] = x
	}
	return out
}

// newCodec returns sessionkit's codec, or nil while package flask is still
// a placeholder.
func newCodec(tb testing.TB, c flask.Compression) (codec *flask.Codec) {
	tb.Helper()
	defer func() {
		if r := recover(); r != nil {
			if r != "unimplemented" {
				panic(r)
			}
			codec = nil
		}
	}()
	s, err := flask.NewSigner([]byte(Key))
	if err != nil {
		tb.Fatal(err)
	}
	codec = flask.NewCodec(s)
	codec.Compression = c
	return codec
}

// needCodec skips a benchmark of sessionkit's codec while it is missing.
func needCodec(b *testing.B, c *flask.Codec) {
	if c == nil {
		b.Skip("sessionkit: package flask is not implemented yet")
	}
}

// securecookies are gorilla/securecookie configured four ways. MaxLength is
// lifted so that the large workload can be measured (it would not fit in a
// browser cookie uncompressed).
func securecookies() map[string]*securecookie.SecureCookie {
	hashKey := sha256.Sum256([]byte(Key))
	blockKey := sha256.Sum256([]byte(Key + "block"))
	mk := func(block []byte, enc securecookie.Serializer) *securecookie.SecureCookie {
		s := securecookie.New(hashKey[:], block).SetSerializer(enc).MaxLength(0)
		return s
	}
	return map[string]*securecookie.SecureCookie{
		"securecookie-json-hmac": mk(nil, securecookie.JSONEncoder{}),
		"securecookie-json-aes":  mk(blockKey[:], securecookie.JSONEncoder{}),
		"securecookie-gob-hmac":  mk(nil, securecookie.GobEncoder{}),
		"securecookie-gob-aes":   mk(blockKey[:], securecookie.GobEncoder{}),
	}
}

var sink any

// BenchmarkCodec compares encoding and decoding one session cookie.
// sessionkit and the floor decode the cookie real Flask made
// (testdata/flask_cookies.json); securecookie decodes its own encoding of
// the same values.
func BenchmarkCodec(b *testing.B) {
	cookies := flaskCookies(b)
	now := Frozen.Add(time.Second)
	floor := NewFloor([]byte(Key))
	for _, w := range Workloads() {
		b.Run(w.Name, func(b *testing.B) {
			sk := newCodec(b, flask.CompressAuto)
			skFlask := newCodec(b, flask.CompressFlask)
			skKz := newCodec(b, flask.CompressAuto)
			if skKz != nil {
				skKz.Compressor = kzlib.Compressor{}
			}
			// The floor makes the same compression decision as the codec
			// it is compared with.
			mode := Never
			if sk != nil {
				c, err := sk.Encode(w.Values, now)
				if err != nil {
					b.Fatal(err)
				}
				if strings.HasPrefix(c, ".") {
					mode = Always
				}
			}
			encoders := []struct {
				name  string
				codec *flask.Codec
				fn    func() (string, error)
			}{
				{"sessionkit", sk, func() (string, error) { return sk.Encode(w.Values, now) }},
				{"sessionkit-kzlib", skKz, func() (string, error) { return skKz.Encode(w.Values, now) }},
				{"floor", nil, func() (string, error) { return floor.Encode(w.Values, now, mode) }},
				{"sessionkit-flaskrule", skFlask, func() (string, error) { return skFlask.Encode(w.Values, now) }},
				{"floor-flaskrule", nil, func() (string, error) { return floor.Encode(w.Values, now, Flask) }},
			}
			for _, e := range encoders {
				b.Run(e.name+"/encode", func(b *testing.B) {
					if strings.HasPrefix(e.name, "sessionkit") {
						needCodec(b, e.codec)
					}
					b.ReportAllocs()
					for b.Loop() {
						c, err := e.fn()
						if err != nil {
							b.Fatal(err)
						}
						sink = c
					}
				})
			}
			for _, d := range []struct {
				name  string
				codec *flask.Codec
			}{{"sessionkit", sk}, {"sessionkit-kzlib", skKz}} {
				// The first decoding of a cookie: what every request costs
				// without the Manager's cache, and the first request with a
				// cookie the Manager has not seen.
				b.Run(d.name+"/decode", func(b *testing.B) {
					needCodec(b, d.codec)
					b.ReportAllocs()
					for b.Loop() {
						v, err := d.codec.Decode(cookies[w.Name], now)
						if err != nil {
							b.Fatal(err)
						}
						sink = v
					}
				})
			}
			// A repeat request: the cookie again, through the Manager's
			// middleware, whose cache of verified cookies then skips the
			// decoding (the signature and age are checked every time). The
			// whole middleware runs, not only the decoding: the Cookie
			// header, the session, its context, the commit (no Set-Cookie),
			// and a handler reading one value.
			b.Run("sessionkit/decode-repeat", func(b *testing.B) {
				needCodec(b, sk)
				m := newManager(b)
				m.Now = func() time.Time { return now }
				m.RefreshEachRequest = false // no Set-Cookie for the permanent workloads
				h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if _, ok := session.Get[string](session.FromContext(r.Context()), "usuario"); !ok {
						b.Fatal("the session was not read")
					}
				}))
				req := httptest.NewRequest("GET", "/", nil)
				req.Header.Set("Cookie", "session="+cookies[w.Name])
				rw := &nopWriter{h: http.Header{}}
				h.ServeHTTP(rw, req) // the first request decodes
				b.ReportAllocs()
				for b.Loop() {
					clear(rw.h)
					h.ServeHTTP(rw, req)
				}
				if rw.h.Get("Set-Cookie") != "" {
					b.Fatal("a read-only request set a cookie")
				}
			})
			// The cookie sessionkit writes by default (CompressAuto may
			// leave it uncompressed where Flask compresses).
			var own string
			if sk != nil {
				c, err := sk.Encode(w.Values, now)
				if err != nil {
					b.Fatal(err)
				}
				own = c
			}
			b.Run("sessionkit/decode-own", func(b *testing.B) {
				needCodec(b, sk)
				b.ReportAllocs()
				for b.Loop() {
					v, err := sk.Decode(own, now)
					if err != nil {
						b.Fatal(err)
					}
					sink = v
				}
			})
			b.Run("floor/decode", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					v, err := floor.Decode(cookies[w.Name], now)
					if err != nil {
						b.Fatal(err)
					}
					sink = v
				}
			})
			scs := securecookies()
			for _, name := range []string{"securecookie-json-hmac", "securecookie-json-aes", "securecookie-gob-hmac", "securecookie-gob-aes"} {
				s := scs[name]
				vals := w.Values
				if strings.Contains(name, "gob") {
					vals = gobValues(w.Values)
				}
				b.Run(name+"/encode", func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						c, err := s.Encode("session", vals)
						if err != nil {
							b.Fatal(err)
						}
						sink = c
					}
				})
				c, err := s.Encode("session", vals)
				if err != nil {
					b.Fatal(err)
				}
				b.Run(name+"/decode", func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						var v map[string]any
						if err := s.Decode("session", c, &v); err != nil {
							b.Fatal(err)
						}
						sink = v
					}
				})
			}
		})
	}
}

// nopWriter is a ResponseWriter that keeps nothing but its headers, so that
// a figure is the middleware's own.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(int)             {}
