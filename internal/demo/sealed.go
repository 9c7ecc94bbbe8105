package demo

import (
	"context"
	"encoding/base64"
	"errors"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/seal"
)

// Sealed cookies: the same session as an SK1 token (package seal,
// docs/ENCRYPTED.md), encrypted and authenticated with keys derived from
// the demo's secret key. The inspector shows every session in both
// formats, side by side on /inspetor/cifrado, so that a learner sees what
// encryption hides (the content) and what it does not (the size, which
// grows with the session; when the token was made and which key made it;
// a copied cookie, which still works until it expires). With Config.Sealed
// the demo itself writes sealed cookies (session.NewSealed).

// sealScope is the scope of the demo's sealed cookies: the one
// python/sessionkit_seal's SealedSessionInterface uses, so that a Flask
// application with the same key shares them.
var sealScope = seal.Scope{Purpose: "session"}

// newSealer returns the Sealer the demo opens and compares with: its key,
// sealScope, and the Manager's age limit.
func newSealer(cfg Config) (*seal.Sealer, error) {
	sl, err := seal.New(seal.Keys{Current: cfg.Key}, sealScope)
	if err != nil {
		return nil, err
	}
	sl.MaxAge = cfg.Lifetime
	return sl, nil
}

// The parts of a token's text the inspector colours: the header (version,
// key ID, issue time and IV: 25 bytes, about 33 characters), the
// ciphertext, and the tag (32 bytes, about 43 characters). Base64 packs 3
// bytes in 4 characters, so a boundary may fall inside a character.
const (
	headerChars = (4*25 + 2) / 3 // 34: the characters that hold header bits
	tagChars    = (4 * 32) / 3   // 42: the characters that hold tag bits only
)

// splitToken returns the header, ciphertext and tag text of a token.
func splitToken(token string) (header, ct, tag string) {
	if len(token) < headerChars+tagChars {
		return token, "", ""
	}
	return token[:headerChars], token[headerChars : len(token)-tagChars], token[len(token)-tagChars:]
}

// inspectSealed takes apart a sealed session cookie, as the Manager of a
// demo run with Config.Sealed reads it: the header first, unverified;
// then the tag and the age; and only then the content, decrypted.
func (s *site) inspectSealed(ctx context.Context, v *cookieView, value string) {
	v.Sealed = true
	if len(value) > seal.DefaultLimit {
		v.Problem, v.Raw = "toolong", cut(value, maxShownRaw)
		return
	}
	h, err := seal.Parse(value)
	if err != nil {
		v.Problem, v.Raw = "malformed", cut(value, maxShownRaw)
		return
	}
	v.SealHeader, v.SealCT, v.SealTag = splitToken(value)
	v.KeyID, v.PlaintextLen = h.KeyID.String(), h.PlaintextLen
	now := s.cfg.Now()
	v.HasTime = true
	v.TimestampUnix = h.IssuedAt.Unix()
	v.SignedAtISO = h.IssuedAt.Format(time.RFC3339)
	v.SignedAtText = h.IssuedAt.Format("2006-01-02 15:04:05") + " UTC"
	pt, info, err := s.sealer.Open(s.cookieName(), value, now)
	var ie seal.InvalidError
	errors.As(err, &ie)
	switch {
	case err == nil:
		v.Valid = true
	case ie.Reason == seal.ReasonExpired || ie.Reason == seal.ReasonFuture:
		v.Problem = "expired"
	case ie.Reason == seal.ReasonKey || ie.Reason == seal.ReasonTag:
		v.Problem = "signature"
	default:
		v.Problem = "malformed"
	}
	if !v.Valid {
		return // nothing is decrypted that did not verify
	}
	v.showJSON(pt)
	v.SecondsLeft = max(info.IssuedAt.Unix()+int64(s.cfg.Lifetime/time.Second)-now.Unix(), 0)
	v.LeftText = fmtDuration(time.Duration(v.SecondsLeft) * time.Second)
	v.Kind = s.sessionKind(ctx, v, "")
}

// forgeSealed is the tamper experiment on a sealed cookie: the attacker
// knows (or guesses) what the token holds, and AES-CTR lets them turn it
// into what they want without the key, by flipping the ciphertext's bits
// where the two texts differ. They cannot compute the tag, so they keep
// the old one, and the server refuses the token. Past the old text's
// length the attacker has no keystream: the extra bytes are written as
// they are.
func forgeSealed(token string, old, edited []byte) string {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < seal.Overhead {
		return token
	}
	header, ct, tag := raw[:seal.Overhead-32], raw[seal.Overhead-32:len(raw)-32], raw[len(raw)-32:]
	forged := make([]byte, 0, len(raw)-len(ct)+len(edited))
	forged = append(forged, header...)
	for i, c := range edited {
		if i < len(ct) && i < len(old) {
			c ^= ct[i] ^ old[i]
		}
		forged = append(forged, c)
	}
	forged = append(forged, tag...)
	return base64.RawURLEncoding.EncodeToString(forged)
}

// formView is one format of the session on the comparison page.
type formView struct {
	// Actual: this is the cookie the browser holds; else what the same
	// session would be in this format.
	Actual bool
	Value  string
	Size   int // name + value, as the browser counts
	// The parts of the value, for colouring: Flask's payload, time and
	// signature, or SK1's header, ciphertext and tag.
	Part1, Part2, Part3 string
	Compressed          bool
}

// growthRow is one line of the comparison's table: the session with the
// first N names of Exemplo 02's list, in both formats.
type growthRow struct {
	N              int
	Name           string
	Signed, Sealed int
}

// comparison is the session of a request in both formats.
type comparison struct {
	Signed, Sealed formView
	JSONBytes      int         // the session's tagged JSON, what SK1 encrypts
	KeyID          string      // of the demo's key, in every token it seals
	Growth         []growthRow // with Exemplo 02's names, cookie sessions only
	FromStore      bool        // the session is in the Store; neither format is the cookie
}

// compare builds the comparison of the session v shows, or returns nil
// when there is no verified session to compare.
func (s *site) compare(ctx context.Context, v cookieView) *comparison {
	if !v.Present || !v.Valid {
		return nil
	}
	js := v.sessionJSON
	if v.IDOnly {
		js = s.storedJSON(ctx, v)
	}
	if js == nil {
		return nil
	}
	vals, err := flask.Unmarshal(js)
	if err != nil {
		return nil
	}
	iat := time.Unix(v.TimestampUnix, 0)
	name := s.cookieName()
	c := &comparison{JSONBytes: len(js), KeyID: s.sealer.KeyIDs()[0].String(), FromStore: v.IDOnly}
	signed, err := s.m.Codec().Encode(vals, iat)
	if err != nil {
		return nil
	}
	sealed, err := s.sealer.Seal(name, js, iat)
	if err != nil {
		// Over the limit: the size is still known without sealing.
		sealed = ""
	}
	switch {
	case v.IDOnly:
	case v.Sealed:
		sealed = v.value
	default:
		signed = v.value
	}
	c.Signed = formView{Actual: !v.IDOnly && !v.Sealed, Value: signed, Size: len(name) + len(signed), Compressed: strings.HasPrefix(signed, ".")}
	if p, err := flask.Parse(signed); err == nil {
		c.Signed.Part1, c.Signed.Part3 = p.Payload, p.Signature
		c.Signed.Part2 = signed[len(p.Payload)+1 : len(signed)-len(p.Signature)-1]
	}
	c.Sealed = formView{Actual: v.Sealed, Value: sealed, Size: len(name) + seal.SealedLen(len(js))}
	c.Sealed.Part1, c.Sealed.Part2, c.Sealed.Part3 = splitToken(sealed)
	if nomes, ok := vals["nomes"].([]any); ok && !v.IDOnly {
		for i := range nomes {
			d := maps.Clone(vals)
			d["nomes"] = nomes[:i+1]
			row := growthRow{N: i + 1}
			row.Name, _ = nomes[i].(string)
			row.Name = shorten(row.Name, 24)
			if b, err := flask.Marshal(d); err == nil {
				row.Sealed = len(name) + seal.SealedLen(len(b))
			}
			if enc, err := s.m.Codec().Encode(d, iat); err == nil {
				row.Signed = len(name) + len(enc)
			} else {
				row.Signed = 0 // more than a Flask cookie holds
			}
			c.Growth = append(c.Growth, row)
		}
	}
	return c
}

// storedJSON returns the data of the server-side session whose signed ID
// v shows, or nil.
func (s *site) storedJSON(ctx context.Context, v cookieView) []byte {
	id, ok := strings.CutPrefix(v.Payload, "sk~")
	if !ok || s.cfg.Store == nil {
		return nil
	}
	rec, err := s.cfg.Store.Load(ctx, id)
	if err != nil {
		return nil
	}
	vals, err := flask.Unmarshal(rec.Data)
	if err != nil {
		return nil
	}
	js, err := flask.Marshal(vals)
	if err != nil {
		return nil
	}
	return js
}

// cifrado is the comparison page: the session signed and sealed, side by
// side.
func (s *site) cifrado(w http.ResponseWriter, r *http.Request) {
	v := s.newView(r, "cmp.h1")
	v.Compare = s.compare(r.Context(), v.Cookie)
	s.render(w, http.StatusOK, "cifrado", v)
}
