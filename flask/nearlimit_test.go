package flask

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// nearLimit is one session of testdata/nearlimit.json: the largest of its
// shape whose cookie, as Flask writes it, fits in 4096 bytes.
type nearLimit struct {
	Shape          string `json:"shape"`
	Seed           int    `json:"seed"`
	N              int    `json:"n"`
	JSON           string `json:"json"`
	FlaskCookieLen int    `json:"flask_cookie_len"`
	NextCookieLen  int    `json:"next_flask_cookie_len"`
	Change         *struct {
		Key            string `json:"key"`
		At             any    `json:"at"` // list index or dict key
		JSON           string `json:"json"`
		FlaskCookieLen int    `json:"flask_cookie_len"`
	} `json:"change"`
}

const (
	nearLimitKey = "near-limit-key-0123456789abcdef0123"
	nearLimitNow = 1700000000
)

func loadNearLimit(t testing.TB) []nearLimit {
	t.Helper()
	raw, err := os.ReadFile("testdata/nearlimit.json")
	if err != nil {
		t.Fatal(err)
	}
	var corpus []nearLimit
	if err := json.Unmarshal(raw, &corpus); err != nil {
		t.Fatal(err)
	}
	return corpus
}

func (s nearLimit) name() string { return fmt.Sprintf("%s-%d", s.Shape, s.Seed) }

// changed applies s's small change to v, a decoded copy of s's session.
func (s nearLimit) changed(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	elem, err := Unmarshal([]byte(s.Change.JSON))
	if err != nil {
		t.Fatal(err)
	}
	switch c := v[s.Change.Key].(type) {
	case []any:
		c[int(s.Change.At.(float64))] = elem["v"]
	case map[string]any:
		c[s.Change.At.(string)] = elem["v"]
	default:
		t.Fatalf("%s: nothing to change under %q", s.name(), s.Change.Key)
	}
	return v
}

// TestNearLimitSessionsFit writes every session of the corpus, and its
// small change, within 4096 bytes, whatever the compression mode: Go's
// usable limit is at least Flask's (the corpus holds, for each shape, the
// largest session Flask fits; TestNearLimitFlask checks that against
// Flask).
func TestNearLimitSessionsFit(t *testing.T) {
	for _, comp := range []Compression{CompressAuto, CompressFlask} {
		c := NewCodec(mustSigner(t, nearLimitKey))
		c.Compression = comp
		for _, s := range loadNearLimit(t) {
			v, err := Unmarshal([]byte(s.JSON))
			if err != nil {
				t.Fatalf("%s: %v", s.name(), err)
			}
			if s.FlaskCookieLen > MaxCookieSize || s.NextCookieLen <= MaxCookieSize {
				t.Fatalf("%s: not at Flask's limit: %d, next %d", s.name(), s.FlaskCookieLen, s.NextCookieLen)
			}
			if _, err := c.Encode(v, time.Unix(nearLimitNow, 0)); err != nil {
				t.Errorf("%s (Flask: %d bytes): %v", s.name(), s.FlaskCookieLen, err)
			}
			if s.Change == nil {
				continue
			}
			if _, err := c.Encode(s.changed(t, v), time.Unix(nearLimitNow, 0)); err != nil {
				t.Errorf("%s changed (Flask: %d bytes): %v", s.name(), s.Change.FlaskCookieLen, err)
			}
		}
	}
}

// TestNearLimitFlask has each Flask write every near-limit session; Go
// reads Flask's cookie and rewrites it, and its small change, within 4096
// bytes, and Flask reads Go's cookies back as the same sessions.
func TestNearLimitFlask(t *testing.T) {
	if testing.Short() {
		t.Skip("Flask skipped in -short mode")
	}
	corpus := loadNearLimit(t)
	for _, f := range flasks(t, "the near-limit test") {
		t.Run("flask-"+f.version, func(t *testing.T) {
			var reqs []oracleRequest
			for _, s := range corpus {
				reqs = append(reqs, oracleRequest{Op: "sign", Key: nearLimitKey, Now: nearLimitNow, TaggedJSON: s.JSON})
			}
			signed := runOracle(t, f.python, reqs)
			c := NewCodec(mustSigner(t, nearLimitKey))
			now := time.Unix(nearLimitNow, 0)
			reqs = reqs[:0]
			var wants []string
			var worst int
			for i, s := range corpus {
				fc := signed[i].Cookie
				if signed[i].Exception != "" || len(fc) != s.FlaskCookieLen {
					t.Fatalf("%s: Flask wrote %d bytes (%s), the corpus says %d", s.name(), len(fc), signed[i].Exception, s.FlaskCookieLen)
				}
				v, err := c.Decode(fc, now)
				if err != nil {
					t.Errorf("%s: Go cannot read Flask's %d-byte cookie: %v", s.name(), len(fc), err)
					continue
				}
				mine, err := c.Encode(v, now)
				if err != nil {
					t.Errorf("%s: Go cannot rewrite Flask's %d-byte cookie: %v", s.name(), len(fc), err)
					continue
				}
				worst = max(worst, len(mine)-len(fc))
				reqs = append(reqs, oracleRequest{Op: "verify", Key: nearLimitKey, Now: nearLimitNow, MaxAge: 3600, Cookie: mine})
				wants = append(wants, s.JSON)
				if s.Change == nil {
					continue
				}
				v = s.changed(t, v)
				want, err := Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				mine, err = c.Encode(v, now)
				if err != nil {
					t.Errorf("%s: Go cannot write the changed session (Flask: %d bytes): %v", s.name(), s.Change.FlaskCookieLen, err)
					continue
				}
				worst = max(worst, len(mine)-s.Change.FlaskCookieLen)
				reqs = append(reqs, oracleRequest{Op: "verify", Key: nearLimitKey, Now: nearLimitNow, MaxAge: 3600, Cookie: mine})
				wants = append(wants, string(want))
			}
			for i, ans := range runOracle(t, f.python, reqs) {
				if !ans.OK || ans.PayloadJSON != wants[i] {
					t.Errorf("Flask read Go's cookie %d as ok=%v %s %.60s…", i, ans.OK, ans.Error, strings.TrimSpace(ans.PayloadJSON))
				}
			}
			t.Logf("Flask %s: %d near-limit cookies rewritten by Go within %d bytes; Go's cookie at most %+d bytes from Flask's", f.version, len(reqs), MaxCookieSize, worst)
		})
	}
}
