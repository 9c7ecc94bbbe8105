package flask

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"
)

// vectorFile is testdata/vectors.json, made by real Flask (see
// testdata/README.md).
type vectorFile struct {
	Key    string         `json:"key"`
	Now    int64          `json:"now"`
	Salt   string         `json:"salt"`
	Sign   []signVector   `json:"sign"`
	Verify []verifyVector `json:"verify"`
}

type signVector struct {
	Name        string `json:"name"`
	InputKind   string `json:"input_kind"`
	Input       string `json:"input"`
	PayloadJSON string `json:"payload_json"`
	Cookie      string `json:"cookie"`
	Compressed  bool   `json:"compressed"`
	Timestamp   int64  `json:"timestamp"`
	Permanent   bool   `json:"permanent"`
}

type verifyVector struct {
	Name      string          `json:"name"`
	Cookie    string          `json:"cookie"`
	Key       string          `json:"key"`
	Fallbacks []string        `json:"fallbacks"`
	Now       int64           `json:"now"`
	MaxAge    int64           `json:"max_age"`
	OK        bool            `json:"ok"`
	Error     string          `json:"error"`
	Session   json.RawMessage `json:"session"`
	FlaskSees json.RawMessage `json:"flask_sees"`
}

func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vf vectorFile
	if err := json.Unmarshal(data, &vf); err != nil {
		t.Fatal(err)
	}
	return vf
}

// parsePlain reads JSON without tag interpretation (the oracle's --json).
func parsePlain(t testing.TB, s string) map[string]any {
	t.Helper()
	d := decoder{data: s, maxDepth: DefaultMaxDepth, plain: true}
	d.skipSpace()
	v, err := d.object(1)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v.(map[string]any)
}

func mustSigner(t testing.TB, key string, fallbacks ...string) *Signer {
	t.Helper()
	var fb [][]byte
	for _, f := range fallbacks {
		fb = append(fb, []byte(f))
	}
	s, err := NewSigner([]byte(key), fb...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignVectors(t *testing.T) {
	vf := loadVectors(t)
	now := time.Unix(vf.Now, 0)
	for _, v := range vf.Sign {
		t.Run(v.Name, func(t *testing.T) {
			var val map[string]any
			if v.InputKind == "tagged" {
				var err error
				if val, err = Unmarshal([]byte(v.Input)); err != nil {
					t.Fatal(err)
				}
			} else {
				val = parsePlain(t, v.Input)
			}
			if v.Permanent {
				val["_permanent"] = true
			}
			got, err := Marshal(val)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != v.PayloadJSON {
				t.Fatalf("Marshal:\n got %s\nwant %s", got, v.PayloadJSON)
			}
			if v.Cookie == "" {
				return // Flask deletes the cookie of an empty session
			}
			c := NewCodec(mustSigner(t, vf.Key))
			c.Compression = CompressFlask
			cookie, err := c.Encode(val, now)
			if err != nil {
				t.Fatal(err)
			}
			if !v.Compressed && cookie != v.Cookie {
				t.Fatalf("Encode:\n got %s\nwant %s", cookie, v.Cookie)
			}
			// Compressed bytes differ between Go's and C's zlib (spec
			// §13.4): compare what both decompress to.
			for _, ck := range []string{cookie, v.Cookie} {
				p, err := Parse(ck)
				if err != nil {
					t.Fatal(err)
				}
				js, err := PayloadJSON(p.Payload, 0)
				if err != nil {
					t.Fatal(err)
				}
				if string(js) != v.PayloadJSON {
					t.Fatalf("payload of %s:\n got %s\nwant %s", ck, js, v.PayloadJSON)
				}
				if _, err := c.Decode(ck, now); err != nil {
					t.Fatalf("Decode(%s): %v", ck, err)
				}
			}
		})
	}
}

// verifyDeviations are verify vectors where this package is deliberately
// stricter than Flask, with the error it gives instead.
var verifyDeviations = map[string]error{
	// Flask turns [[k, v]] into a dict (Werkzeug's dict(initial));
	// a session must be a JSON object here (SECURITY F-54).
	"valid_sig_top_level_list_of_pairs": ErrPayload,
}

func TestVerifyVectors(t *testing.T) {
	vf := loadVectors(t)
	for _, v := range vf.Verify {
		t.Run(v.Name, func(t *testing.T) {
			c := NewCodec(mustSigner(t, v.Key, v.Fallbacks...))
			c.MaxAge = time.Duration(v.MaxAge) * time.Second
			got, err := c.Decode(v.Cookie, time.Unix(v.Now, 0))
			if want, ok := verifyDeviations[v.Name]; ok {
				if !errors.Is(err, want) {
					t.Fatalf("err = %v, want %v (deliberate deviation)", err, want)
				}
				return
			}
			if v.OK {
				if err != nil {
					t.Fatalf("Decode: %v; Flask accepts it", err)
				}
				want, err := Unmarshal(v.Session)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("got %#v, want %#v", got, want)
				}
				return
			}
			want := map[string]error{
				"SignatureExpired": ErrExpired,
				"BadTimeSignature": ErrSignature,
				"BadSignature":     ErrMalformed,
				"BadPayload":       ErrPayload,
			}[v.Error]
			if want == nil {
				t.Fatalf("unknown Flask error %q", v.Error)
			}
			if !errors.Is(err, want) {
				t.Fatalf("err = %v, want %v (Flask: %s)", err, want, v.Error)
			}
		})
	}
}
