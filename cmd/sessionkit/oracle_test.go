package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// These tests cross-check the CLI with real Flask through the shared oracle
// (../shared/flask-oracle/oracle.py, or $SESSIONKIT_FLASK_ORACLE), under
// every Python that has Flask: python3 (Flask 3.x) and Debian's
// /usr/bin/python3 (Flask 2.2). They skip when neither is there, and fail
// instead under SESSIONKIT_REQUIRE_ALL=1, which also requires both.

var interpreters = []string{"python3", "/usr/bin/python3"}

func requireAll() bool { return os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" }

// flaskPython is an interpreter with Flask, and the Flask version.
type flaskPython struct {
	python, version, oracle string
}

// flasks returns the interpreters to test against, or skips t.
func flasks(t *testing.T) []flaskPython {
	t.Helper()
	oracle := os.Getenv("SESSIONKIT_FLASK_ORACLE")
	if oracle == "" {
		oracle = filepath.Join("..", "..", "..", "shared", "flask-oracle", "oracle.py")
	}
	skip := func(msg string) {
		t.Helper()
		if requireAll() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	abs, err := filepath.Abs(oracle)
	if err != nil {
		skip(err.Error())
	}
	if _, err := os.Stat(abs); err != nil {
		skip(fmt.Sprintf("Flask oracle not found at %s (set SESSIONKIT_FLASK_ORACLE)", oracle))
	}
	var found []flaskPython
	for _, py := range interpreters {
		out, err := exec.Command(py, "-c", "from importlib.metadata import version; import flask; print(version('flask'))").Output()
		if err == nil {
			found = append(found, flaskPython{py, strings.TrimSpace(string(out)), abs})
		}
	}
	if len(found) == 0 {
		skip("no Flask found under python3 or /usr/bin/python3; install Flask to run the oracle cross-checks")
	}
	if len(found) < len(interpreters) && requireAll() {
		t.Fatalf("SESSIONKIT_REQUIRE_ALL=1 but only %d of %d Flask interpreters found", len(found), len(interpreters))
	}
	return found
}

// driverScript imports oracle.py from the directory in argv[1] and runs its
// main once for each argument list read from standard input (one JSON array
// a line), so that Flask is imported once for a whole batch. For each it
// prints the exit status and output; for verify it adds ok, error, message
// and the session re-serialised as Flask writes it (sorted keys, compact,
// ASCII).
const driverScript = `
import contextlib, io, json, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
import oracle
for line in sys.stdin:
    argv = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = oracle.main(argv)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    res = {"code": code or 0, "out": out.getvalue(), "err": err.getvalue()}
    if argv[0] == "verify" and res["out"]:
        d = json.loads(res["out"])
        res["ok"] = d.get("ok")
        res["error"] = d.get("error", "")
        res["message"] = d.get("message", "")
        if d.get("ok"):
            res["canonical"] = json.dumps(d["session"], sort_keys=True, separators=(",", ":"))
        if "unverified_session" in d:
            res["unverified"] = json.dumps(d["unverified_session"], sort_keys=True, separators=(",", ":"))
    print(json.dumps(res), flush=True)
`

// oracleResult is the outcome of one oracle.py run.
type oracleResult struct {
	Code      int    `json:"code"`
	Out       string `json:"out"`
	Err       string `json:"err"`
	OK        bool   `json:"ok"`
	Error     string `json:"error"`
	Message   string `json:"message"`
	Canonical string `json:"canonical"`
	// Unverified is the session Flask decodes from a rejected cookie
	// without trusting its signature (loads_unsafe), re-serialised.
	Unverified string `json:"unverified"`
}

// run runs oracle.py once per argument list, in one Python process.
func (f flaskPython) run(t *testing.T, argvs [][]string) []oracleResult {
	t.Helper()
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, a := range argvs {
		if err := enc.Encode(a); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(f.python, "-c", driverScript, filepath.Dir(f.oracle))
	cmd.Stdin = &in
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s oracle.py driver: %v\n%s", f.python, err, stderr.String())
	}
	var res []oracleResult
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var r oracleResult
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("oracle driver output: %v", err)
		}
		res = append(res, r)
	}
	if len(res) != len(argvs) {
		t.Fatalf("oracle driver gave %d results for %d runs\n%s", len(res), len(argvs), stderr.String())
	}
	for i, r := range res {
		if r.Code != 0 && !(argvs[i][0] == "verify" && r.Code == 1 && r.Out != "") {
			t.Fatalf("oracle.py %s: exit %d\n%s%s", strings.Join(argvs[i], " "), r.Code, r.Out, r.Err)
		}
	}
	return res
}

// oracleKey is a key as oracle.py takes it and as sessionkit takes it.
type oracleKey struct {
	oracle string   // --key value: text, or hex:... for raw bytes
	cli    []string // sessionkit key options
	env    map[string]string
}

func textKey(k string) oracleKey {
	return oracleKey{k, []string{"-key-env", "K"}, map[string]string{"K": k}}
}

func hexKey(b []byte) oracleKey {
	h := hex.EncodeToString(b)
	return oracleKey{"hex:" + h, []string{"-key-env", "K", "-key-format", "hex"}, map[string]string{"K": h}}
}

// sessionCase is one session for the round trips in both directions.
type sessionCase struct {
	name      string
	json      string // as oracle.py --json / sessionkit sign -json
	tagged    bool   // --tagged-json / -tagged
	permanent bool
	key       oracleKey
	salt      string
}

var sessionCases = []sessionCase{
	{name: "lesson-login", json: `{"usuario": "Maria"}`, key: textKey(mariaKey)},
	{name: "lesson-names-permanent", json: `{"nomes": ["Ana", "Bruno"]}`, permanent: true, key: textKey(strongKey)},
	{name: "flash-tuple", json: `{"_flashes": [{" t": ["message", "Olá"]}]}`, tagged: true, key: textKey(strongKey)},
	{name: "every-tag", json: `{"t":{" t":[1,"x"]},"b":{" b":"AP8="},"u":{" u":"12345678123456781234567812345678"},"d":{" d":"Mon, 01 Jan 2024 00:00:00 GMT"},"m":{" m":"<b>x</b>"}}`, tagged: true, key: textKey(strongKey)},
	{name: "tag-looking-dicts", json: `{"x": {" t": [1, 2]}, "y": {" di": 1}, "z": {" t": 1, "k": 2}}`, key: textKey(strongKey)},
	{name: "strings", json: `{"s": "😀\u0000\u001b[2J\u2028é\u007f", "k": "<>&'\"\\/", "": "empty key", "ключ": "中文"}`, key: textKey(strongKey)},
	{name: "numbers", json: `{"big": 123456789012345678901234567890, "neg": -42, "f": 1.5, "e": 1e16, "small": 1e-05, "z": -0.0, "one": 1.0}`, key: textKey(strongKey)},
	{name: "non-finite", json: `{"n": NaN, "i": Infinity, "j": -Infinity}`, tagged: true, key: textKey(strongKey)},
	{name: "nested", json: `{"a": {"b": [1, {"c": [true, false, null]}], "d": {}}, "e": []}`, key: textKey(strongKey)},
	{name: "compressed", json: `{"data": "` + strings.Repeat("a", 2000) + `"}`, key: textKey(strongKey)},
	{name: "raw-bytes-key", json: `{"user_id": 7}`, key: hexKey([]byte("\x00\xff\x10 raw key bytes from os.urandom\x01"))},
	{name: "unicode-key", json: `{"user_id": 8}`, key: textKey("chave-secreta-com-acentuação-ção-ÇÃO-😀-0123456789")},
	{name: "other-salt", json: `{"remember": true}`, key: textKey(strongKey), salt: "remember-me"},
}

const oracleNow = "1700000000"

// TestOracleRoundTrips checks, for every session case, that a cookie made
// by "sessionkit sign" verifies in Flask with the same session, and that a
// cookie made by Flask verifies with "sessionkit verify", printing the
// session Flask reads, byte for byte.
func TestOracleRoundTrips(t *testing.T) {
	t.Parallel()
	for _, f := range flasks(t) {
		t.Run("flask-"+f.version, func(t *testing.T) {
			var ourCookies []string
			var signs [][]string
			common := func(sc sessionCase) []string {
				c := []string{"--key", sc.key.oracle, "--now", oracleNow}
				if sc.salt != "" {
					c = append(c, "--salt", sc.salt)
				}
				return c
			}
			for _, sc := range sessionCases {
				args := append([]string{"sign"}, sc.key.cli...)
				args = append(args, "-now", oracleNow, "-json", sc.json)
				input := "--json"
				if sc.tagged {
					args = append(args, "-tagged")
					input = "--tagged-json"
				}
				if sc.permanent {
					args = append(args, "-permanent")
				}
				if sc.salt != "" {
					args = append(args, "-salt", sc.salt)
				}
				r := cli{args: args, env: sc.key.env}.run(t)
				if r.code != 0 {
					t.Fatalf("%s: sessionkit sign: exit %d: %s", sc.name, r.code, r.stderr)
				}
				ourCookies = append(ourCookies, strings.TrimSpace(r.stdout))
				sign := append(append([]string{"sign"}, common(sc)...), input, sc.json)
				if sc.permanent {
					sign = append(sign, "--permanent")
				}
				signs = append(signs, sign)
			}
			flaskCookies := f.run(t, signs)
			var verifies [][]string
			for i, sc := range sessionCases {
				v := append([]string{"verify"}, common(sc)...)
				verifies = append(verifies,
					append(v[:len(v):len(v)], ourCookies[i]),
					append(v[:len(v):len(v)], strings.TrimSpace(flaskCookies[i].Out)))
			}
			vs := f.run(t, verifies)
			for i, sc := range sessionCases {
				ours, theirs := ourCookies[i], strings.TrimSpace(flaskCookies[i].Out)
				onOurs, onFlask := vs[2*i], vs[2*i+1]
				args := append([]string{"verify"}, sc.key.cli...)
				args = append(args, "-now", oracleNow)
				if sc.salt != "" {
					args = append(args, "-salt", sc.salt)
				}
				ourVerify := cli{args: append(args, theirs), env: sc.key.env}.run(t)
				ourOwn := cli{args: append(args, ours), env: sc.key.env}.run(t)
				switch {
				case !onOurs.OK:
					t.Errorf("%s: Flask rejects our cookie %s: %s %s", sc.name, ours, onOurs.Error, onOurs.Message)
				case !onFlask.OK:
					t.Errorf("%s: Flask rejects its own cookie: %s %s", sc.name, onFlask.Error, onFlask.Message)
				case ourVerify.code != 0:
					t.Errorf("%s: sessionkit verify rejects Flask's cookie %s: exit %d: %s", sc.name, theirs, ourVerify.code, ourVerify.stderr)
				case ourVerify.stdout != onFlask.Canonical+"\n":
					t.Errorf("%s: sessionkit verify of Flask's cookie printed\n%s\nFlask's session is\n%s", sc.name, ourVerify.stdout, onFlask.Canonical)
				case onOurs.Canonical != onFlask.Canonical:
					t.Errorf("%s: Flask reads our cookie as\n%s\nand its own as\n%s", sc.name, onOurs.Canonical, onFlask.Canonical)
				case ourOwn.stdout != ourVerify.stdout:
					t.Errorf("%s: sessionkit verify reads our cookie as %s and Flask's as %s", sc.name, ourOwn.stdout, ourVerify.stdout)
				case !strings.HasPrefix(theirs, ".") && ours != theirs:
					// Uncompressed cookies are byte-identical; compressed ones
					// differ only in zlib's choices (spec §13).
					t.Errorf("%s: sessionkit sign made %s, Flask %s", sc.name, ours, theirs)
				}
			}
		})
	}
}

// errorCase is a cookie Flask rejects (or, for documented differences,
// accepts) and the exit status sessionkit verify must give.
type errorCase struct {
	name string
	// cookie is fixed, or signed by Flask: flaskKey signs flaskJSON at
	// katTime with flaskFlags.
	cookie     string
	flaskKey   string
	flaskJSON  string
	flaskFlags []string
	key        string   // verify with this key (text)
	extra      []string // more oracle.py verify flags, mapped to sessionkit's
	now        int64
	// flaskError is Flask's exception class ("" means Flask accepts).
	flaskError string
	code       int
}

// TestOracleErrorClasses checks that sessionkit verify gives the exit
// status that matches Flask's verdict: BadSignature and BadTimeSignature are
// 1 (signature does not match) or 3 (malformed), SignatureExpired is 4,
// BadPayload is 3. Two cases pin documented differences: Flask accepts a
// padded or non-canonical signature, which sessionkit refuses (SECURITY.md
// B-16, B-17).
func TestOracleErrorClasses(t *testing.T) {
	t.Parallel()
	const T = katTime
	p := "eyJ1c2VyX2lkIjoxfQ"
	empty := cli{args: []string{"sign", "-key-env", "K", "-now", oracleNow, "-json", "{}"}, env: map[string]string{"K": katKey}}.run(t)
	cases := []errorCase{
		{name: "valid", flaskKey: katKey, flaskJSON: `{"user_id": 1}`, key: katKey, now: T},
		{name: "wrong key", flaskKey: katKey, flaskJSON: `{"user_id": 1}`, key: strongKey, now: T, flaskError: "BadSignature", code: 1},
		{name: "other salt", flaskKey: katKey, flaskJSON: `{"user_id": 1}`, flaskFlags: []string{"--salt", "remember-me"}, key: katKey, now: T, flaskError: "BadSignature", code: 1},
		{name: "age max", flaskKey: katKey, flaskJSON: `{"a": 1}`, key: katKey, extra: []string{"--max-age", "120"}, now: T + 120},
		{name: "age max+1", flaskKey: katKey, flaskJSON: `{"a": 1}`, key: katKey, extra: []string{"--max-age", "120"}, now: T + 121, flaskError: "SignatureExpired", code: 4},
		{name: "default max age", flaskKey: katKey, flaskJSON: `{"a": 1}`, key: katKey, now: T + 31*86400},
		{name: "default max age+1", flaskKey: katKey, flaskJSON: `{"a": 1}`, key: katKey, now: T + 31*86400 + 1, flaskError: "SignatureExpired", code: 4},
		{name: "future", flaskKey: katKey, flaskJSON: `{"a": 1}`, key: katKey, now: T - 1, flaskError: "SignatureExpired", code: 4},
		{name: "fallback", flaskKey: katOldKey, flaskJSON: `{"a": 1}`, key: katKey, extra: []string{"--fallback", katOldKey}, now: T},
		{name: "fallback removed", flaskKey: katOldKey, flaskJSON: `{"a": 1}`, key: katKey, now: T, flaskError: "BadSignature", code: 1},
		{name: "KAT V3", cookie: katV3, key: katKey, now: T},
		{name: "empty session from sessionkit sign", cookie: strings.TrimSpace(empty.stdout), key: katKey, now: T},
		{name: "no dot", cookie: "abc", key: katKey, now: T, flaskError: "BadSignature", code: 3},
		{name: "timestamp missing", cookie: plainSigned(t, katKey, p), key: katKey, now: T, flaskError: "BadSignature", code: 3},
		{name: "empty timestamp", cookie: signed(t, katKey, "cookie-session", p, ""), key: katKey, now: T, flaskError: "SignatureExpired", code: 4},
		{name: "nine-byte timestamp", cookie: signed(t, katKey, "cookie-session", p, "AQAAAAAAAAAA"), key: katKey, now: T, flaskError: "BadSignature", code: 3},
		{name: "not JSON", cookie: katJSON(t, "{nope"), key: katKey, now: T, flaskError: "BadPayload", code: 3},
		{name: "not zlib", cookie: kat(t, "."+b64([]byte("not zlib"))), key: katKey, now: T, flaskError: "BadPayload", code: 3},
		{name: "truncated", cookie: katV1[:len(katV1)-4], key: katKey, now: T, flaskError: "BadSignature", code: 1},
		{name: "tampered payload", cookie: "eyJ1c2VyX2lkIjoyfQ" + katV1[len(p):], key: katKey, now: T, flaskError: "BadSignature", code: 1},
		// Documented differences: Flask's lenient base64 accepts these.
		{name: "B-16 padded signature", cookie: katV1 + "=", key: katKey, now: T, code: 1},
		{name: "B-17 non-canonical signature", cookie: katV1[:len(katV1)-1] + "9", key: katKey, now: T, code: 1},
	}
	for _, f := range flasks(t) {
		t.Run("flask-"+f.version, func(t *testing.T) {
			var signs [][]string
			var signed []int
			for i, c := range cases {
				if c.cookie == "" {
					signs = append(signs, append([]string{"sign", "--key", c.flaskKey, "--now", oracleNow, "--json", c.flaskJSON}, c.flaskFlags...))
					signed = append(signed, i)
				}
			}
			cookies := make([]string, len(cases))
			for i, c := range cases {
				cookies[i] = c.cookie
			}
			for j, r := range f.run(t, signs) {
				cookies[signed[j]] = strings.TrimSpace(r.Out)
			}
			var verifies [][]string
			for i, c := range cases {
				args := append([]string{"verify", "--key", c.key, "--now", strconv.FormatInt(c.now, 10)}, c.extra...)
				verifies = append(verifies, append(args, cookies[i]))
			}
			vs := f.run(t, verifies)
			checked := 0
			defer func() {
				if checked < 5 {
					t.Errorf("decode compared with Flask's unverified session only %d times", checked)
				}
			}()
			for i, c := range cases {
				v := vs[i]
				flaskClass := v.Error
				if flaskClass == "BadTimeSignature" {
					flaskClass = "BadSignature" // its subclass; the message tells which
				}
				if v.OK != (c.flaskError == "") || flaskClass != c.flaskError {
					t.Errorf("%s: Flask says ok=%v %s %q, the test expects %q", c.name, v.OK, v.Error, v.Message, c.flaskError)
					continue
				}
				args := []string{"verify", "-key-env", "K", "-now", strconv.FormatInt(c.now, 10)}
				for j := 0; j < len(c.extra); j += 2 {
					switch c.extra[j] {
					case "--max-age":
						args = append(args, "-max-age", c.extra[j+1])
					case "--fallback":
						args = append(args, "-fallback-env", "FB")
					}
				}
				env := map[string]string{"K": c.key, "FB": katOldKey}
				r := cli{args: append(args, cookies[i]), env: env}.run(t)
				if r.code != c.code {
					t.Errorf("%s: sessionkit verify: exit %d, want %d (Flask: %s %s)\n%s", c.name, r.code, c.code, v.Error, v.Message, r.stderr)
				}
				if c.code == 0 && r.stdout != v.Canonical+"\n" {
					t.Errorf("%s: sessionkit verify printed %s, Flask's session is %s", c.name, r.stdout, v.Canonical)
				}
				// decode shows what Flask decodes without trusting the
				// signature, except from cookies it calls malformed (a
				// missing or bad timestamp), where Flask's loads_unsafe still
				// reads the payload.
				if d := (cli{args: []string{"decode", "-json", cookies[i]}}).run(t); v.Unverified != "" && (d.code == 0 || c.code != exitMalformed) {
					var rep decodeReport
					if err := json.Unmarshal([]byte(d.stdout), &rep); err != nil || string(rep.Session) != v.Unverified {
						t.Errorf("%s: decode shows %s, Flask's unverified session is %s", c.name, d.stdout, v.Unverified)
					}
					checked++
				}
				// "does not match" is Flask's wording for exit status 1.
				if c.flaskError == "BadSignature" && strings.Contains(v.Message, "does not match") != (c.code == 1) {
					t.Errorf("%s: Flask says %q but sessionkit exits %d", c.name, v.Message, c.code)
				}
			}
		})
	}
}

// TestOracleAudit has Flask sign cookies with published keys and with a
// random one: audit finds the published ones (exit 1) and not the other.
func TestOracleAudit(t *testing.T) {
	t.Parallel()
	keys := []string{"dev", "CHANGEME", "you-will-never-guess", "sua_chave_secreta_segura", "\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h", strongKey}
	for _, f := range flasks(t) {
		t.Run("flask-"+f.version, func(t *testing.T) {
			var signs [][]string
			for _, k := range keys {
				signs = append(signs, []string{"sign", "--key", k, "--now", oracleNow, "--json", `{"usuario": "Maria"}`})
			}
			for i, res := range f.run(t, signs) {
				r := cli{args: []string{"audit", "-cookie", strings.TrimSpace(res.Out)}}.run(t)
				want := exitFail
				if keys[i] == strongKey {
					want = exitOK
				}
				if r.code != want {
					t.Errorf("key %q: audit exit %d, want %d\n%s%s", keys[i], r.code, want, r.stdout, r.stderr)
				}
			}
		})
	}
}
