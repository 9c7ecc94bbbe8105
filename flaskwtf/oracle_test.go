package flaskwtf

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	session "github.com/sessionkit/session"
)

// TestOracleSign compares tokens signed in Go with the tokens the real
// Flask-WTF's generate_csrf returns at the same second for the same raw
// token: byte for byte, except where itsdangerous compresses (Go never
// does); every Flask token must validate in Go.
func TestOracleSign(t *testing.T) {
	python := needFlaskWTF(t)
	type signCase struct {
		Op  string `json:"op"`
		Key string `json:"key"`
		Raw string `json:"raw"`
		Now int64  `json:"now"`
	}
	keys := []string{testKey, "clé secrète ü"}
	raws := []string{
		newRawToken(),
		newRawToken(),
		"",
		"café ☃ 𝄞",
		"q\"uo\\te\n\t\x7f\x01</script>",
	}
	// A raw token with repeats, which itsdangerous compresses.
	compressible := "0123456789abcdef0123456789abcdef01234567"
	var cases []signCase
	for _, k := range keys {
		for _, raw := range append(raws, compressible) {
			for _, now := range []int64{1, 1700000000, 1 << 40} {
				cases = append(cases, signCase{"sign", k, raw, now})
			}
		}
	}
	var got []string
	runOracle(t, python, cases, &got)
	if len(got) != len(cases) {
		t.Fatalf("oracle answered %d results for %d cases", len(got), len(cases))
	}
	for i, tc := range cases {
		c, err := New([]byte(tc.Key))
		if err != nil {
			t.Fatal(err)
		}
		now := time.Unix(tc.Now, 0)
		mine := c.sign(tc.Raw, now)
		if tc.Raw != compressible && mine != got[i] {
			t.Errorf("key %q raw %q at %d: Go %q, Flask-WTF %q", tc.Key, tc.Raw, tc.Now, mine, got[i])
		}
		if tc.Raw == compressible && !strings.HasPrefix(got[i], ".") {
			t.Errorf("Flask-WTF did not compress %q: the case tests nothing", got[i])
		}
		raw, err := c.unsign(got[i], now)
		if err != nil || raw != tc.Raw {
			t.Errorf("Go reads Flask-WTF's token %q as %q, %v; want %q", got[i], raw, err, tc.Raw)
		}
	}
}

// TestOracleValidate runs tokens made in Go and in Flask through the real
// Flask-WTF's validate_csrf and through Validate, with the same session,
// clock and time limit, and compares the verdicts.
func TestOracleValidate(t *testing.T) {
	python := needFlaskWTF(t)
	const raw = "0123456789abcdef0123456789abcdef01234567"
	now := int64(1700000000)
	c, err := New([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := New([]byte(testKey + "-other"))
	sign := func(c *CSRF, raw string, at int64) string { return c.sign(raw, time.Unix(at, 0)) }
	type pyCase struct {
		Op        string  `json:"op"`
		Key       string  `json:"key"`
		Raw       *string `json:"raw"`
		Token     string  `json:"token"`
		Now       int64   `json:"now"`
		TimeLimit *int64  `json:"time_limit"`
	}
	// Flask's own token for the raw token, to be validated by both.
	var flaskTok []string
	r := raw
	runOracle(t, python, []pyCase{{Op: "sign", Key: testKey, Raw: &r, Now: now}}, &flaskTok)

	good := sign(c, raw, now)
	payload, rest, _ := strings.Cut(good, ".")
	ts, sig, _ := strings.Cut(rest, ".")
	flipLast := func(s string) string {
		if strings.HasSuffix(s, "A") {
			return s[:len(s)-1] + "B"
		}
		return s[:len(s)-1] + "A"
	}
	nonString := base64.RawURLEncoding.EncodeToString([]byte("5")) + "." + ts
	nonString += "." + mac(c, nonString)

	hour := int64(3600)
	zero := int64(0)
	tests := []struct {
		name  string
		raw   *string
		token string
		now   int64
		limit *int64
		// differs, when set, is Flask-WTF's verdict where it knowingly
		// differs from Go's (Go refuses what only a forger or a bug
		// writes).
		differs string
	}{
		{name: "Go token", raw: &r, token: good, now: now, limit: &hour},
		{name: "Flask token", raw: &r, token: flaskTok[0], now: now, limit: &hour},
		{name: "age 3600", raw: &r, token: good, now: now + 3600, limit: &hour},
		{name: "age 3601", raw: &r, token: good, now: now + 3601, limit: &hour},
		{name: "Flask token, age 3601", raw: &r, token: flaskTok[0], now: now + 3601, limit: &hour},
		{name: "a second in the future", raw: &r, token: good, now: now - 1, limit: &hour},
		{name: "no limit, a year old", raw: &r, token: good, now: now + 365*86400},
		{name: "no limit, future", raw: &r, token: good, now: now - 3600},
		{name: "limit 0", raw: &r, token: good, now: now, limit: &zero},
		{name: "limit 0, next second", raw: &r, token: good, now: now + 1, limit: &zero},
		{name: "missing", raw: &r, token: "", now: now, limit: &hour},
		{name: "no session token", token: good, now: now, limit: &hour},
		{name: "other raw token", raw: ptr("f" + raw[1:]), token: good, now: now, limit: &hour},
		{name: "tampered signature", raw: &r, token: tamper(good), now: now, limit: &hour},
		{name: "non-canonical signature", raw: &r, token: payload + "." + ts + "." + sig[:len(sig)-1] + unusedBits(sig[len(sig)-1:]), now: now, limit: &hour, differs: "ok"},
		{name: "tampered payload", raw: &r, token: "x" + good[1:], now: now, limit: &hour},
		{name: "tampered timestamp", raw: &r, token: payload + "." + flipLast(ts) + "." + sig, now: now, limit: &hour},
		{name: "tampered and expired", raw: &r, token: tamper(good), now: now + 7200, limit: &hour},
		{name: "other key", raw: &r, token: sign(other, raw, now), now: now, limit: &hour},
		{name: "garbage", raw: &r, token: "not-a-token", now: now, limit: &hour},
		{name: "no timestamp", raw: &r, token: payload + "." + sig, now: now, limit: &hour},
		{name: "padded signature", raw: &r, token: good + "=", now: now, limit: &hour, differs: "ok"},
		{name: "signed non-string", raw: &r, token: nonString, now: now, limit: &hour,
			differs: "TypeError: unsupported operand types(s) or combination of types: 'str' and 'int'"},
	}
	cases := make([]pyCase, len(tests))
	for i, tt := range tests {
		cases[i] = pyCase{Op: "validate", Key: testKey, Raw: tt.raw, Token: tt.token, Now: tt.now, TimeLimit: tt.limit}
	}
	var flaskSays []string
	runOracle(t, python, cases, &flaskSays)
	m := newManager(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := *c
			cc.Now = func() time.Time { return time.Unix(tt.now, 0) }
			cc.TimeLimit = -1
			if tt.limit != nil {
				cc.TimeLimit = time.Duration(*tt.limit) * time.Second
			}
			values := map[string]any{"other": 1}
			if tt.raw != nil {
				values["csrf_token"] = *tt.raw
			}
			goSays := "ok"
			inSession(t, m, httptest.NewRequest("GET", "/", nil), values, func(w http.ResponseWriter, r *http.Request, s *session.Session) {
				if err := cc.Validate(s, tt.token); err != nil {
					goSays = Reason(err)
				}
			})
			switch {
			case tt.differs != "":
				if flaskSays[i] != tt.differs {
					t.Errorf("Flask-WTF says %q, the test expects %q", flaskSays[i], tt.differs)
				}
				if goSays == "ok" {
					t.Errorf("Go accepts a token it should refuse")
				}
			case goSays != flaskSays[i]:
				t.Errorf("Go says %q, Flask-WTF says %q", goSays, flaskSays[i])
			}
		})
	}
}

// unusedBits returns the base64url character c with its two low bits,
// which a 20-byte MAC leaves unused in its last character, changed.
func unusedBits(c string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	return string(alphabet[strings.Index(alphabet, c)^1])
}

func ptr[T any](v T) *T { return &v }
