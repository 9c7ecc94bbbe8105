package flasklogin

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/sessiontest"
)

var update = flag.Bool("update", false, "rewrite testdata/identifiers.json from the real Flask-Login")

// testKey passes the session package's key policy.
const testKey = "Zq8vT3nW6yB1cR5mX0kP7sD2fG9hJ4lAe"

// hdr is one request header, raw bytes.
type hdr struct {
	Name  string
	Value string
}

// req is a request as the differential tests describe it to both sides.
type req struct {
	RemoteAddr *string // nil: none
	Headers    []hdr
}

// MarshalJSON gives oracle.py's request form (header bytes in base64).
func (q req) MarshalJSON() ([]byte, error) {
	hs := make([][2]string, len(q.Headers))
	for i, h := range q.Headers {
		hs[i] = [2]string{h.Name, base64.StdEncoding.EncodeToString([]byte(h.Value))}
	}
	return json.Marshal(map[string]any{"remote_addr": q.RemoteAddr, "headers": hs})
}

// httpRequest builds the Go request: RemoteAddr as net/http sets it.
func (q req) httpRequest(target string) *http.Request {
	r := httptest.NewRequest("GET", target, nil)
	r.RemoteAddr = ""
	if q.RemoteAddr != nil {
		host := *q.RemoteAddr
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		r.RemoteAddr = host + ":54321"
	}
	for _, h := range q.Headers {
		k := http.CanonicalHeaderKey(h.Name)
		r.Header[k] = append(r.Header[k], h.Value)
	}
	return r
}

func addr(s string) *string { return &s }

// identifierRequests covers what _create_identifier reads: the remote
// address, X-Forwarded-For and User-Agent, present, empty, repeated, with
// quotes, backslashes, control bytes and non-ASCII bytes.
func identifierRequests() []req {
	local := addr("127.0.0.1")
	uas := []string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
		"", "it's", `say "hi"`, `it's "both"`, `back\slash`, "tab\there", "caf\xc3\xa9 \xe2\x98\x83",
		"latin1 \xe9\xff\x80", "del\x7f ctl\x01", "'", `"`, "\\'\"",
	}
	var out []req
	for _, ua := range uas {
		out = append(out, req{RemoteAddr: local, Headers: []hdr{{"User-Agent", ua}}})
	}
	out = append(out,
		req{RemoteAddr: local},
		req{},
		req{RemoteAddr: addr("::1"), Headers: []hdr{{"User-Agent", "x"}}},
		req{RemoteAddr: addr("fe80::1%eth0"), Headers: []hdr{{"User-Agent", "x"}}},
		req{RemoteAddr: addr("203.0.113.9"), Headers: []hdr{{"User-Agent", "a"}, {"User-Agent", "b"}}},
	)
	for _, xff := range []string{"198.51.100.7", " 10.0.0.1 , 198.51.100.7", "", ",10.0.0.1", "\t10.0.0.2\t", "2001:db8::1", "caf\xc3\xa9, x", "it's"} {
		out = append(out, req{RemoteAddr: local, Headers: []hdr{{"X-Forwarded-For", xff}, {"User-Agent", "x"}}})
	}
	out = append(out,
		req{RemoteAddr: local, Headers: []hdr{{"X-Forwarded-For", ""}, {"X-Forwarded-For", "10.9.9.9"}}},
		req{RemoteAddr: local, Headers: []hdr{{"X-Forwarded-For", "10.1.1.1"}, {"X-Forwarded-For", "10.9.9.9"}}},
		req{Headers: []hdr{{"X-Forwarded-For", "10.1.1.1"}}},
	)
	return out
}

// identifierVector is one line of testdata/identifiers.json.
type identifierVector struct {
	Request req    `json:"request"`
	ID      string `json:"id"`
}

func (v *identifierVector) UnmarshalJSON(b []byte) error {
	var raw struct {
		Request struct {
			RemoteAddr *string     `json:"remote_addr"`
			Headers    [][2]string `json:"headers"`
		} `json:"request"`
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	v.ID = raw.ID
	v.Request.RemoteAddr = raw.Request.RemoteAddr
	for _, h := range raw.Request.Headers {
		val, err := base64.StdEncoding.DecodeString(h[1])
		if err != nil {
			return err
		}
		v.Request.Headers = append(v.Request.Headers, hdr{h[0], string(val)})
	}
	return nil
}

// TestOracleIdentifier compares Identifier with the real
// _create_identifier on every request of identifierRequests; with
// -update, it rewrites the known-answer file TestIdentifierVectors reads.
func TestOracleIdentifier(t *testing.T) {
	python := needFlaskLogin(t)
	reqs := identifierRequests()
	cases := make([]map[string]any, len(reqs))
	for i, q := range reqs {
		cases[i] = map[string]any{"op": "identifier", "request": q}
	}
	var ids []string
	runOracle(t, python, cases, &ids)
	for i, q := range reqs {
		if got := Identifier(q.httpRequest("/")); got != ids[i] {
			t.Errorf("request %+v: Identifier %s…, Flask-Login %s…", q, got[:16], ids[i][:16])
		}
	}
	if *update {
		vs := make([]identifierVector, len(reqs))
		for i := range reqs {
			vs[i] = identifierVector{reqs[i], ids[i]}
		}
		b, err := json.MarshalIndent(vs, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("testdata/identifiers.json", append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestIdentifierVectors checks Identifier against identifiers computed by
// the real Flask-Login 0.6.2 (testdata/identifiers.json, written by
// TestOracleIdentifier -update); it needs no Python.
func TestIdentifierVectors(t *testing.T) {
	b, err := os.ReadFile("testdata/identifiers.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []identifierVector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < len(identifierRequests()) {
		t.Fatalf("only %d vectors", len(vs))
	}
	for _, v := range vs {
		if got := Identifier(v.Request.httpRequest("/")); got != v.ID {
			t.Errorf("request %+v: Identifier %s…, Flask-Login %s…", v.Request, got[:16], v.ID[:16])
		}
	}
}

// TestOracleCookie compares the remember-me cookie's encoding, decoding
// and werkzeug's reading of the Cookie header with the real functions.
func TestOracleCookie(t *testing.T) {
	python := needFlaskLogin(t)
	type kc struct {
		key   string // as the str SECRET_KEY
		goKey []byte // its Latin-1 bytes
	}
	keys := []kc{{"k", []byte("k")}, {testKey, []byte(testKey)}, {"clé", []byte("cl\xe9")}}
	payloads := []string{"7", "a@b, c", "josé", "", "a|b", `q"uo\te;`}
	var cases []map[string]any
	var check []func(got any)
	for _, k := range keys {
		lm, err := New(k.goKey)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range payloads {
			cases = append(cases, map[string]any{"op": "encode", "key": k.key, "payload": p})
			check = append(check, func(got any) {
				if want := lm.EncodeCookie(p); got != want {
					t.Errorf("key %q: EncodeCookie(%q) = %q, Flask-Login %q", k.key, p, want, got)
				}
			})
			good := lm.EncodeCookie(p)
			for _, c := range []string{good, good[:len(good)-1] + "0", strings.ToUpper(good), p, good + "|", strings.Replace(good, "|", "|é", 1)} {
				cases = append(cases, map[string]any{"op": "decode", "key": k.key, "cookie": c})
				check = append(check, func(got any) {
					id, ok := lm.DecodeCookie(c)
					if strings.HasPrefix(fmt.Sprint(got), "TypeError") {
						// compare_digest refuses non-ASCII text: HTTP 500 in
						// Flask, no user in Go.
						if ok {
							t.Errorf("DecodeCookie(%q) accepted what Flask-Login fails on", c)
						}
						return
					}
					if want := any(nil); ok {
						want = id
						if got != want {
							t.Errorf("DecodeCookie(%q) = %q, Flask-Login %v", c, id, got)
						}
					} else if got != nil {
						t.Errorf("DecodeCookie(%q) refused, Flask-Login %v", c, got)
					}
				})
			}
		}
	}
	headers := []string{
		"remember_token=abc", "a=1; remember_token=7|ff; b=2", `remember_token="x\054y|z"`,
		`remember_token="jos\303\251\054 \"q\" \\ |d"`, "remember_token = v ; x=1", `remember_token="unterminated`,
		"remember_token=", "remember_token", "remember_token=1; remember_token=2", `remember_token="a"b; c=1`,
		`remember_token="a\"`, `remember_token="\777\400"`, `remember_token="\377"`, "x=1;remember_token=\t sp ace \t;y",
		`remember_token=";"; z=1`, "other=1", "", `remember_token="a;b"`, "remember_token=caf\xc3\xa9",
	}
	for _, h := range headers {
		q := req{Headers: []hdr{{"Cookie", h}}}
		cases = append(cases, map[string]any{"op": "cookie", "request": q, "name": DefaultCookieName})
		check = append(check, func(got any) {
			v, ok := requestCookie(q.httpRequest("/"), DefaultCookieName)
			var want any
			if ok {
				want = v
			}
			if got != want {
				t.Errorf("Cookie: %s: Go reads %q (%v), werkzeug %q", h, v, ok, got)
			}
		})
	}
	var got []any
	runOracle(t, python, cases, &got)
	for i := range cases {
		check[i](got[i])
	}
}

// flaskResult is oracle.py's answer to a "request" case.
type flaskResult struct {
	User    *string           `json:"user"`
	Fresh   any               `json:"fresh"`
	Session map[string][2]any `json:"session"`
	Cookies []string          `json:"cookies"`
}

// typed tags session values with the Python type Flask would hold.
func typed(values map[string]any) map[string][2]any {
	out := map[string][2]any{}
	for k, v := range values {
		var typ string
		switch v := v.(type) {
		case string:
			typ = "str"
		case bool:
			typ = "bool"
		case float64:
			typ = "float"
		case int64:
			out[k] = [2]any{"int", float64(v)}
			continue
		case int:
			out[k] = [2]any{"int", float64(v)}
			continue
		case nil:
			typ = "NoneType"
		default:
			typ = fmt.Sprintf("%T", v)
		}
		out[k] = [2]any{typ, v}
	}
	return out
}

// setCookie is a Set-Cookie header split into its parts, attribute names
// lowercased, so that werkzeug's attribute order and Go's compare equal.
func parseSetCookie(h string) map[string]string {
	parts := strings.Split(h, "; ")
	out := map[string]string{"": parts[0]}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		out[strings.ToLower(k)] = v
	}
	return out
}

// requestCase is one whole request run by both sides.
type requestCase struct {
	Mode     Protection
	Refresh  bool
	Session  map[string]any
	Request  req
	Action   string // user, login, logout, confirm
	ID       string
	Remember bool
	Duration *float64
	NotFresh bool
}

func (c requestCase) String() string {
	return fmt.Sprintf("%s refresh=%v session=%v action=%s(%q remember=%v duration=%v notfresh=%v) headers=%q",
		c.Mode, c.Refresh, c.Session, c.Action, c.ID, c.Remember, c.Duration, c.NotFresh, c.Request.Headers)
}

// runGo runs c through the session middleware and Handler.
func runGo(t *testing.T, c requestCase, now time.Time) flaskResult {
	t.Helper()
	m, err := session.New([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	lm, err := New([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	lm.Protection, lm.RefreshEachRequest, lm.Now = c.Mode, c.Refresh, func() time.Time { return now }
	r := c.Request.httpRequest("/")
	if len(c.Session) > 0 {
		sessiontest.AddSession(t, m, r, c.Session)
	}
	var res flaskResult
	h := m.Handler(lm.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		switch c.Action {
		case "login":
			opts := LoginOptions{Remember: c.Remember, NotFresh: c.NotFresh}
			if c.Duration != nil {
				opts.Duration = time.Duration(*c.Duration * float64(time.Second))
			}
			lm.Login(s, r, c.ID, opts)
		case "logout":
			lm.Logout(s, r)
		case "confirm":
			lm.ConfirmLogin(s, r)
		}
		if id, ok := lm.User(s, r); ok {
			res.User = &id
		}
		res.Fresh = Fresh(s)
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	after, ok := sessiontest.SessionFrom(t, m, rec.Result())
	if !ok {
		after = c.Session
	}
	res.Session = typed(after)
	for _, sc := range rec.Result().Header.Values("Set-Cookie") {
		if strings.HasPrefix(sc, DefaultCookieName+"=") {
			res.Cookies = append(res.Cookies, sc)
		}
	}
	return res
}

// requestCases is the matrix the request differential runs: every
// protection mode against sessions whose "_id" matches or not, fresh or
// not, permanent or not, with and without a remember-me cookie (good or
// forged), through each of Flask-Login's entry points.
func requestCases(lm *Manager) []requestCase {
	client := req{RemoteAddr: addr("127.0.0.1"), Headers: []hdr{{"User-Agent", "Firefox caf\xc3\xa9"}}}
	matching := Identifier(client.httpRequest("/"))
	withCookie := func(q req, v string) req {
		q.Headers = append(slices.Clone(q.Headers), hdr{"Cookie", "remember_token=" + v})
		return q
	}
	good := quoteCookie(lm.EncodeCookie("9"))
	forged := "9|" + strings.Repeat("0", 128)
	sessions := []map[string]any{
		{},
		{"_user_id": "7", "_fresh": true, "_id": matching},
		{"_user_id": "7", "_fresh": true, "_id": "other"},
		{"_user_id": "7", "_fresh": true},
		{"_user_id": "7", "_fresh": false, "_id": "other"},
		{"_user_id": "7", "_fresh": true, "_id": "other", "_permanent": true},
		{"_user_id": "7", "_fresh": true, "_id": "other", "next": "/x", "_remember_seconds": 30.5, "csrf_token": "abc"},
		{"csrf_token": "abc"},
		{"_remember": "clear"},
		{"_user_id": "7", "_fresh": true, "_id": matching, "_remember": "set"},
		{"_user_id": "7", "_id": matching, "_remember": "set", "_remember_seconds": 90.5},
		{"_user_id": nil, "x": 1},
	}
	requests := []req{client, withCookie(client, good), withCookie(client, forged), {RemoteAddr: addr("127.0.0.1"), Headers: []hdr{{"User-Agent", "Chrome"}}}}
	var out []requestCase
	for _, mode := range []Protection{Basic, Strong, Off} {
		for _, s := range sessions {
			for _, q := range requests {
				for _, action := range []string{"user", "logout", "confirm"} {
					out = append(out, requestCase{Mode: mode, Session: s, Request: q, Action: action})
				}
				out = append(out, requestCase{Mode: mode, Session: s, Request: q, Action: "user", Refresh: true})
			}
		}
	}
	d := 3600.5
	for _, q := range requests[:2] {
		for _, s := range sessions[:3] {
			out = append(out,
				requestCase{Mode: Basic, Session: s, Request: q, Action: "login", ID: "42"},
				requestCase{Mode: Strong, Session: s, Request: q, Action: "login", ID: "a@b, c", Remember: true},
				requestCase{Mode: Basic, Session: s, Request: q, Action: "login", ID: "josé \"x\"", Remember: true, Duration: &d, NotFresh: true},
			)
		}
	}
	return out
}

// TestOracleRequest runs whole requests through the real Flask-Login and
// through Handler with the same session, headers and clock, and compares
// the user, freshness, the session after the request and the remember-me
// Set-Cookie headers.
func TestOracleRequest(t *testing.T) {
	python := needFlaskLogin(t)
	lm, err := New([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	const now = 1700000000
	cases := requestCases(lm)
	pyCases := make([]map[string]any, len(cases))
	for i, c := range cases {
		pc := map[string]any{
			"op": "request", "key": testKey, "mode": c.Mode.String(), "refresh": c.Refresh, "now": now,
			"session": c.Session, "request": c.Request, "action": c.Action, "id": c.ID,
			"remember": c.Remember, "fresh": !c.NotFresh,
		}
		if c.Duration != nil {
			pc["duration"] = *c.Duration
		}
		pyCases[i] = pc
	}
	var flaskSays []flaskResult
	runOracle(t, python, pyCases, &flaskSays)
	for i, c := range cases {
		goSays := runGo(t, c, time.Unix(now, 0))
		f := flaskSays[i]
		if len(f.Cookies) == 1 && strings.HasPrefix(f.Cookies[0], "remember_token=None|") {
			// A deliberate difference: for a session holding
			// "_user_id": None (which Flask-Login never writes),
			// Flask-Login issues a remember-me cookie for the user
			// "None"; Go issues none.
			if len(goSays.Cookies) != 0 {
				t.Errorf("%v: Set-Cookie %q, Flask-Login %q", c, goSays.Cookies, f.Cookies)
			}
			f.Cookies = nil
		}
		if !reflect.DeepEqual(goSays.User, f.User) || goSays.Fresh != f.Fresh {
			t.Errorf("%v:\n user %v fresh %v, Flask-Login: user %v fresh %v", c, deref(goSays.User), goSays.Fresh, deref(f.User), f.Fresh)
		}
		if !reflect.DeepEqual(goSays.Session, f.Session) && !(len(goSays.Session) == 0 && len(f.Session) == 0) {
			t.Errorf("%v:\n session %v\n Flask-Login %v", c, sorted(goSays.Session), sorted(f.Session))
		}
		if len(goSays.Cookies) != len(f.Cookies) {
			t.Errorf("%v:\n Set-Cookie %q\n Flask-Login %q", c, goSays.Cookies, f.Cookies)
			continue
		}
		for j := range f.Cookies {
			if g, w := parseSetCookie(goSays.Cookies[j]), parseSetCookie(f.Cookies[j]); !maps.Equal(g, w) {
				t.Errorf("%v:\n Set-Cookie %q\n Flask-Login %q", c, goSays.Cookies[j], f.Cookies[j])
			}
		}
	}
	t.Logf("%d requests compared", len(cases))
}

func deref(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

func sorted(m map[string][2]any) string {
	keys := slices.Collect(maps.Keys(m))
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%v ", k, m[k])
	}
	return b.String()
}
