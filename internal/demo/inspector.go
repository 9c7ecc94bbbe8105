package demo

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/seal"
)

// Bounds on what the inspector prints of a cookie. Whatever arrives, the
// work done on it is bounded by the codec's own caps (flask.MaxCookieSize
// of cookie, the codec's MaxDecompressed of JSON, flask.DefaultMaxDepth of
// nesting, 4300-digit integers), and what is printed by these.
const (
	// maxShownJSON caps the indented JSON the inspector prints.
	maxShownJSON = 16 << 10
	// maxShownRaw caps the characters of a refused cookie (too long or
	// malformed) that the inspector prints.
	maxShownRaw = 200
)

// cookieView is the session cookie a request carried, taken apart for the
// inspector.
type cookieView struct {
	Present      bool
	Size         int // name + value, the browser's "Size" column
	Payload      string
	TimestampRaw string
	Signature    string
	Compressed   bool
	IDOnly       bool // server-side session: the value is a signed ID
	Valid        bool
	// Problem says why the server ignores the cookie when !Valid:
	// "signature", "expired", "malformed" or "toolong" (more than
	// flask.MaxCookieSize bytes: refused before any decoding).
	Problem string
	// Raw is the start of a cookie that could not be split into parts,
	// cut to maxShownRaw characters.
	Raw           string
	HasTime       bool
	TimestampUnix int64
	SignedAtISO   string
	SignedAtText  string // UTC, with the zone written out
	// Kind says what ends the session, for a valid cookie: "permanent"
	// (an idle limit: every request re-signs it), "browser" (a fixed
	// limit from the last change; the browser also drops it when it
	// closes) or "browser-store" (server-side, re-signed at most every
	// TouchInterval without a change).
	Kind        string
	SecondsLeft int64
	LeftText    string
	// JSON is the payload's JSON, indented, at most maxShownJSON bytes
	// (JSONCut then tells that the rest was left out). For a cookie that
	// does not verify it is what anyone could have written: the template
	// labels it unverified.
	JSON    string
	JSONCut bool
	// DecodeProblem says why the payload is not shown: "toolarge" (it
	// inflates past the codec's cap), "toodeep" or "payload" (not Flask's
	// JSON).
	DecodeProblem string
	// payloadJSON is the payload's JSON as it is in the cookie (at most the
	// codec's MaxDecompressed bytes), for the tamper experiment.
	payloadJSON []byte
	// sessionJSON is the session as the Manager writes it (canonical
	// tagged JSON), what a sealed cookie encrypts.
	sessionJSON []byte
	value       string // the cookie's value

	// Sealed: the cookie is an SK1 token (a demo run with Config.Sealed).
	// KeyID and PlaintextLen are what its header says to anyone;
	// SealHeader, SealCT and SealTag its text cut where its header,
	// ciphertext and tag fall.
	Sealed                      bool
	KeyID                       string
	PlaintextLen                int
	SealHeader, SealCT, SealTag string
	// AltSize is the size of the same session in the other format: sealed
	// for a signed cookie, signed for a sealed one. 0 when not known.
	AltSize int
}

func (s *site) cookieName() string {
	if s.m.Cookie.Name != "" {
		return s.m.Cookie.Name
	}
	return "session"
}

// inspect takes apart the session cookie r carries. It verifies it the way
// the Manager does (signature with the key, age against Lifetime), but
// never changes it.
func (s *site) inspect(r *http.Request) cookieView {
	c, err := r.Cookie(s.cookieName())
	if err != nil || c.Value == "" {
		return cookieView{}
	}
	return s.inspectValue(r.Context(), c.Name, c.Value)
}

// cut returns s cut to n bytes at a rune boundary, with an ellipsis when
// something was left out.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func (s *site) inspectValue(ctx context.Context, name, value string) cookieView {
	v := cookieView{Present: true, Size: len(name) + len(value), IDOnly: s.cfg.Store != nil, value: value}
	if s.cfg.Sealed && s.cfg.Store == nil {
		s.inspectSealed(ctx, &v, value)
	} else {
		s.inspectSigned(ctx, &v, value)
	}
	s.altSize(&v)
	return v
}

// inspectSigned takes apart a Flask signed cookie (or the signed ID of a
// server-side session).
func (s *site) inspectSigned(ctx context.Context, v *cookieView, value string) {
	// The length first, as the codec checks it: browsers keep no bigger
	// cookie, so only an attacker sends one, and nothing of it is decoded.
	if len(value) > flask.MaxCookieSize {
		v.Problem, v.Raw = "toolong", cut(value, maxShownRaw)
		return
	}
	parts, err := flask.Parse(value)
	if err != nil {
		v.Problem, v.Raw = "malformed", cut(value, maxShownRaw)
		return
	}
	v.Payload, v.Signature, v.Compressed = parts.Payload, parts.Signature, parts.Compressed
	v.TimestampRaw = value[len(parts.Payload)+1 : len(value)-len(parts.Signature)-1]
	now := s.cfg.Now()
	v.HasTime = true
	v.TimestampUnix = parts.Timestamp
	signed := time.Unix(parts.Timestamp, 0).UTC()
	v.SignedAtISO = signed.Format(time.RFC3339)
	v.SignedAtText = signed.Format("2006-01-02 15:04:05") + " UTC"
	signer := s.m.Codec().Signer()
	if strings.HasPrefix(value, "sk~") {
		signer = s.m.IDSigner()
	}
	_, ts, _, err := signer.Unsign(value)
	switch {
	case errors.Is(err, flask.ErrSignature):
		v.Problem = "signature"
	case err != nil:
		v.Problem = "malformed"
	case flask.CheckAge(ts, now, s.cfg.Lifetime, 0) != nil:
		v.Problem = "expired"
	default:
		v.Valid = true
	}
	if !v.IDOnly {
		s.showPayload(v, parts.Payload)
	}
	if v.Valid {
		// Whole seconds, as the signature's age is checked.
		v.SecondsLeft = max(ts+int64(s.cfg.Lifetime/time.Second)-now.Unix(), 0)
		v.LeftText = fmtDuration(time.Duration(v.SecondsLeft) * time.Second)
		v.Kind = s.sessionKind(ctx, v, parts.Payload)
	}
}

// showPayload decodes the payload for display through package flask's
// capped paths only: inflating stops at the codec's MaxDecompressed, the
// JSON parser at flask.DefaultMaxDepth and 4300-digit integers. The
// indented text is then written from the parsed values, at most
// maxShownJSON bytes of it.
func (s *site) showPayload(v *cookieView, payload string) {
	js, err := flask.PayloadJSON(payload, s.m.Codec().MaxDecompressed)
	if err != nil {
		v.DecodeProblem = "payload"
		if errors.Is(err, flask.ErrTooLarge) {
			v.DecodeProblem = "toolarge"
		}
		return
	}
	v.showJSON(js)
}

// showJSON parses js, a session's tagged JSON, and keeps it for display,
// indented, through package flask's capped parser.
func (v *cookieView) showJSON(js []byte) {
	vals, err := flask.Unmarshal(js)
	if err != nil {
		v.DecodeProblem = "payload"
		if errors.Is(err, flask.ErrTooDeep) {
			v.DecodeProblem = "toodeep"
		}
		return
	}
	canon, err := flask.Marshal(vals)
	if err != nil {
		v.DecodeProblem = "payload"
		return
	}
	v.payloadJSON, v.sessionJSON = js, canon
	v.JSON, v.JSONCut = indentJSON(canon, maxShownJSON)
}

// altSize sets v.AltSize: what the verified session v shows would cost in
// the other format, computed as the Manager would write it. It seals
// nothing: a token's length is known from its plaintext's.
func (s *site) altSize(v *cookieView) {
	if !v.Valid || v.IDOnly || v.sessionJSON == nil {
		return
	}
	name := s.cookieName()
	if !v.Sealed {
		v.AltSize = len(name) + seal.SealedLen(len(v.sessionJSON))
		return
	}
	vals, err := flask.Unmarshal(v.sessionJSON)
	if err != nil {
		return
	}
	if signed, err := s.m.Codec().Encode(vals, time.Unix(v.TimestampUnix, 0)); err == nil {
		v.AltSize = len(name) + len(signed)
	}
}

// indentJSON indents compact JSON (as flask.Marshal writes it: ASCII, no
// spaces, nesting bounded) two spaces a level, and stops once limit bytes
// are written, reporting whether it did. Its work is bounded by limit,
// whatever the input.
func indentJSON(compact []byte, limit int) (string, bool) {
	var b strings.Builder
	depth, inString, escaped := 0, false, false
	newline := func() {
		b.WriteByte('\n')
		for range depth {
			b.WriteString("  ")
		}
	}
	for i := 0; i < len(compact); i++ {
		if b.Len() >= limit {
			return b.String(), true
		}
		c := compact[i]
		if inString {
			b.WriteByte(c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			b.WriteByte(c)
		case '{', '[':
			b.WriteByte(c)
			if i+1 < len(compact) && (compact[i+1] == '}' || compact[i+1] == ']') {
				b.WriteByte(compact[i+1])
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			b.WriteByte(c)
		case ',':
			b.WriteByte(c)
			newline()
		case ':':
			b.WriteString(": ")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), false
}

// compactJSON drops the whitespace outside strings of the visitor's edited
// text (at most 16 KiB), so that data sent back unchanged matches the
// cookie's compact JSON. It does not parse: whatever the text, valid JSON
// or not, it is one linear pass.
func compactJSON(s string) []byte {
	out := make([]byte, 0, len(s))
	inString, escaped := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		}
		out = append(out, c)
	}
	return out
}

// sessionKind says what ends the session of a verified cookie (see
// cookieView.Kind). A cookie session is permanent when its data says so;
// a server-side one when its record does.
func (s *site) sessionKind(ctx context.Context, v *cookieView, payload string) string {
	permanent := false
	if s.cfg.Store == nil {
		if vals, err := flask.Unmarshal(v.payloadJSON); err == nil {
			permanent, _ = vals["_permanent"].(bool)
		}
	} else if id, ok := strings.CutPrefix(payload, "sk~"); ok {
		if rec, err := s.cfg.Store.Load(ctx, id); err == nil {
			if vals, err := flask.Unmarshal(rec.Data); err == nil {
				permanent, _ = vals["_permanent"].(bool)
			}
		}
	}
	switch {
	case permanent:
		return "permanent"
	case s.cfg.Store != nil:
		return "browser-store"
	}
	return "browser"
}

// panel serves the inspector alone, for the pages' script to show the
// cookie the browser holds after a page's response refreshed or changed
// it. It is outside the session middleware, so it never refreshes it.
func (s *site) panel(w http.ResponseWriter, r *http.Request) {
	v := s.baseView(r, "insp.h")
	var buf bytes.Buffer
	if err := s.pages["panel"].ExecuteTemplate(&buf, "inspector", v); err != nil {
		s.log.Error("template", "page", "panel", "err", err)
		s.errorPage(w, r, errInternal)
		return
	}
	h := w.Header()
	h["Content-Type"], h["Cache-Control"] = htmlValue, noStoreValue
	w.Write(buf.Bytes())
}

// tamperResult is what the inspector page says after the experiment.
type tamperResult struct {
	Rejected   bool
	SessionLen int
}

func (s *site) inspetor(w http.ResponseWriter, r *http.Request) {
	v := s.newView(r, "nav.insp")
	if r.URL.Query().Has("adulterado") && v.Cookie.Present {
		v.Tamper = &tamperResult{Rejected: !v.Cookie.Valid, SessionLen: sess(r).Len()}
	}
	switch r.URL.Query().Get("aviso") {
	case "semcookie":
		v.Notice = v.T("tamper.nocookie")
	case "malformado":
		v.Notice = v.T("tamper.malformed")
		if s.cfg.Sealed {
			v.Notice = v.T("tamper.malformed.sealed")
		}
	}
	if v.Cookie.Present && !v.Cookie.IDOnly && v.Cookie.JSON != "" && !v.Cookie.JSONCut {
		v.TamperJSON = v.Cookie.JSON
	}
	s.render(w, http.StatusOK, "inspetor", v)
}

// tamper plays the attacker: it replaces the payload of the visitor's
// cookie with the edited data, keeps the old timestamp and signature, and
// sends the visitor to the inspector carrying that cookie. It is outside the
// session middleware so that no refreshed cookie overwrites the forged one.
// A Secure or HttpOnly cookie cannot be written by the page's JavaScript,
// hence the round trip through the server.
func (s *site) tamper(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	c, err := r.Cookie(s.cookieName())
	if err != nil || c.Value == "" {
		seeOther(w, r, "/inspetor?aviso=semcookie#tamper-h")
		return
	}
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, errFormTooLarge)
		return
	}
	orig := s.inspectValue(r.Context(), c.Name, c.Value)
	if orig.Problem == "malformed" || orig.Problem == "toolong" || orig.Sealed && orig.payloadJSON == nil {
		seeOther(w, r, "/inspetor?aviso=malformado#tamper-h")
		return
	}
	edited := compactJSON(strings.TrimSpace(r.PostFormValue("dados")))
	var forged string
	switch {
	case bytes.Equal(edited, orig.payloadJSON):
		forged = c.Value
	case orig.Sealed:
		forged = forgeSealed(c.Value, orig.payloadJSON, edited)
	default:
		forged = base64.RawURLEncoding.EncodeToString(edited) + "." + orig.TimestampRaw + "." + orig.Signature
	}
	if len(c.Name)+len(forged) > flask.MaxCookieSize {
		s.errorPage(w, r, errTamperTooLarge)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: c.Name, Value: forged, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	seeOther(w, r, "/inspetor?adulterado=1#tamper-result")
}

// forget deletes the visitor's session cookie, whatever it holds (a forged
// one included), so that the experiment can start again.
func (s *site) forget(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	seeOther(w, r, "/inspetor")
}
