package demo

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/sessionkit/session/flask"
)

// cookieView is the session cookie a request carried, taken apart for the
// inspector.
type cookieView struct {
	Present       bool
	Size          int // name + value, the browser's "Size" column
	Payload       string
	TimestampRaw  string
	Signature     string
	Compressed    bool
	IDOnly        bool // server-side session: the value is a signed ID
	Valid         bool
	Problem       string // "signature", "expired" or "malformed" when !Valid
	HasTime       bool
	TimestampUnix int64
	SignedAtISO   string
	SignedAtText  string
	SecondsLeft   int64
	LeftText      string
	JSON          string // the payload's JSON, indented
	compactJSON   []byte
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
	return s.inspectValue(c.Name, c.Value)
}

func (s *site) inspectValue(name, value string) cookieView {
	v := cookieView{Present: true, Size: len(name) + len(value), IDOnly: s.cfg.Store != nil}
	// payload "." timestamp "." signature; a compressed payload starts
	// with ".", so split from the right.
	if i := strings.LastIndexByte(value, '.'); i > 0 {
		v.Signature = value[i+1:]
		if j := strings.LastIndexByte(value[:i], '.'); j >= 0 {
			v.Payload, v.TimestampRaw = value[:j], value[j+1:i]
		} else {
			v.Payload = value[:i]
		}
	} else {
		v.Payload = value
	}
	now := s.cfg.Now()
	parts, err := flask.Parse(value)
	if err != nil {
		v.Problem = "malformed"
		return v
	}
	v.Compressed = parts.Compressed
	v.HasTime = true
	v.TimestampUnix = parts.Timestamp
	signed := time.Unix(parts.Timestamp, 0)
	v.SignedAtISO = signed.UTC().Format(time.RFC3339)
	v.SignedAtText = signed.Local().Format("2006-01-02 15:04:05 MST")
	// Whole seconds, as the signature's age is checked.
	v.SecondsLeft = max(parts.Timestamp+int64(s.cfg.Lifetime/time.Second)-now.Unix(), 0)
	v.LeftText = fmtDuration(time.Duration(v.SecondsLeft) * time.Second)
	if !v.IDOnly {
		if js, err := flask.PayloadJSON(parts.Payload, flask.DefaultMaxDecompressed); err == nil {
			v.compactJSON = js
			var out bytes.Buffer
			if json.Indent(&out, js, "", "  ") == nil {
				v.JSON = out.String()
			} else {
				v.JSON = string(js)
			}
		}
	}
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
		v.SecondsLeft, v.LeftText = 0, fmtDuration(0)
	default:
		v.Valid = true
	}
	return v
}

// panel serves the inspector alone, for the pages' script to show the
// cookie the browser holds after a page's response refreshed or changed
// it. It is outside the session middleware, so it never refreshes it.
func (s *site) panel(w http.ResponseWriter, r *http.Request) {
	v := &view{Lang: pickLang(r, s.cfg.Lang), Cookie: s.inspect(r)}
	var buf bytes.Buffer
	if err := s.pages["panel"].ExecuteTemplate(&buf, "inspector", v); err != nil {
		s.log.Error("template", "page", "panel", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
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
	if v.Cookie.Present && !v.Cookie.IDOnly && v.Cookie.JSON != "" {
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
	if err != nil || r.ParseForm() != nil {
		http.Redirect(w, r, "/inspetor", http.StatusSeeOther)
		return
	}
	orig := s.inspectValue(c.Name, c.Value)
	if orig.Problem == "malformed" {
		http.Redirect(w, r, "/inspetor", http.StatusSeeOther)
		return
	}
	edited := []byte(strings.TrimSpace(r.PostFormValue("dados")))
	var compact bytes.Buffer
	if json.Compact(&compact, edited) == nil {
		edited = compact.Bytes()
	}
	payload := orig.Payload
	if !bytes.Equal(edited, orig.compactJSON) {
		payload = base64.RawURLEncoding.EncodeToString(edited)
	}
	forged := payload + "." + orig.TimestampRaw + "." + orig.Signature
	if len(c.Name)+len(forged) > 4096 {
		http.Error(w, string(text(pickLang(r, s.cfg.Lang), "tamper.invalid")), http.StatusRequestEntityTooLarge)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: c.Name, Value: forged, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/inspetor?adulterado=1#tamper-result", http.StatusSeeOther)
}

// forget deletes the visitor's session cookie, whatever it holds (a forged
// one included), so that the experiment can start again.
func (s *site) forget(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/inspetor", http.StatusSeeOther)
}
