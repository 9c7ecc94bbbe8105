package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sessionkit/session/flask"
	"github.com/sessionkit/session/seal"
)

// decodeReport is decode's -json output. Every string in it is ASCII.
type decodeReport struct {
	Verified       bool            `json:"verified"` // always false: decode has no key
	Format         string          `json:"format"`   // "flask"
	Session        json.RawMessage `json:"session,omitempty"`
	SessionText    string          `json:"session_text,omitempty"` // tagged JSON that is not standard JSON (NaN, Infinity)
	RawJSON        string          `json:"raw_json,omitempty"`     // the payload text, escaped, when it does not decode
	Timestamp      int64           `json:"timestamp"`
	Time           string          `json:"time"`
	AgeSeconds     int64           `json:"age_seconds"`
	Compressed     bool            `json:"compressed"`
	Name           string          `json:"name"`
	Size           int             `json:"size"` // name + value, as the browser's cookie table counts it
	ValueBytes     int             `json:"value_bytes"`
	PayloadBytes   int             `json:"payload_bytes"`
	JSONBytes      int             `json:"json_bytes"`
	SignatureBytes int             `json:"signature_bytes"`
	Error          string          `json:"error,omitempty"`
}

func (e *env) decodeCommand() *command {
	c := &command{
		name:  "decode",
		short: "show a cookie's contents without a key (UNVERIFIED)",
		usage: "decode [-json] [-name name] [-now unix] [-max-input n] [-max-decompressed n] [cookie | -]",
		long: `
Decode shows what a Flask session cookie holds without checking its
signature: the session as Flask's tagged JSON, when it was signed (Unix time
and RFC 3339) and how old it is, whether the payload is compressed, and its
sizes. Anyone can write a cookie with any contents, so the output is
labelled UNVERIFIED; use "sessionkit verify" with the app's key to trust it.
The size is the cookie's name plus its value, as the browser's cookie table
(DevTools, Application, Cookies, "Size") and the demo count it; browsers
keep at most 4096.

An SK1 sealed token (sessionkit's encrypted cookie: session.NewSealed, or
Flask with python/sessionkit_seal) is recognised too. Its content is
encrypted, so decode cannot show it: opening it needs the app's key, with
"sessionkit verify". Decode shows what the token's header tells anyone,
unverified: the key ID of the secret that sealed it, when it was sealed and
how old it is, and how long its plaintext is.

The cookie is the argument, or standard input when the argument is "-" or
absent, pasted in any common form: the bare value, session=VALUE, a
"Cookie: session=...; lang=en" header, a "Set-Cookie: ..." line, a row of
the browser's cookie table or a "Copy as cURL" command; quoted or wrapped
over lines. -name picks the cookie by name.

Input is capped (-max-input), and so are the decompressed payload
(-max-decompressed) and the JSON nesting depth (64), so hostile input such
as a compression bomb is refused in bounded time and memory. Control
characters and non-ASCII bytes are escaped in the output.

Exit status: 0 decoded (for an SK1 token: its header read), 2 usage
(including no cookie given), 3 malformed or over a limit.`,
		example: "sessionkit decode eyJ1c3VhcmlvIjoiTWFyaWEifQ.ZVPxAA.ZRHvFsc2S0rFxA4WVFbGNBikc2g",
	}
	fs := e.newFlags(c)
	asJSON := fs.Bool("json", false, "print a JSON object instead of text")
	name := nameFlag(fs)
	now := e.nowFlag(fs)
	maxInput := fs.Int("max-input", defaultMaxInput, "read at most `n` bytes of input")
	maxDecompressed := fs.Int("max-decompressed", flask.DefaultMaxDecompressed, "decompress at most `n` bytes of payload")
	c.run = func(ctx context.Context, args []string) error {
		if err := e.parse(c, args); err != nil {
			return err
		}
		if *maxInput < 1 || *maxDecompressed < 1 {
			return usagef("limits must be positive")
		}
		cookie, err := e.readCookie(fs.Args(), *name, *maxInput)
		if err != nil {
			return err
		}
		if h, ok := sealedHeader(cookie); ok {
			return e.decodeSealed(h, *name, cookie, now.time(e), *asJSON)
		}
		parts, err := flask.Parse(cookie)
		if err != nil {
			return fail(exitMalformed, malformedCookie(cookie, err))
		}
		r := decodeReport{
			Format:       "flask",
			Timestamp:    parts.Timestamp,
			Time:         formatUnix(parts.Timestamp),
			AgeSeconds:   ageSeconds(now.time(e).Unix(), parts.Timestamp),
			Compressed:   parts.Compressed,
			Name:         printable(*name),
			Size:         len(*name) + len(cookie),
			ValueBytes:   len(cookie),
			PayloadBytes: len(parts.Payload),
		}
		if sig, err := base64.RawURLEncoding.DecodeString(parts.Signature); err == nil {
			r.SignatureBytes = len(sig)
		}
		var failure error
		js, err := flask.PayloadJSON(parts.Payload, *maxDecompressed)
		r.JSONBytes = len(js)
		if err != nil {
			failure = err
		} else if m, err := flask.Unmarshal(js); err != nil {
			failure = err
			r.RawJSON = printable(string(js))
		} else if text, err := flask.Marshal(m); err != nil {
			failure = err
		} else if json.Valid(text) {
			r.Session = text
		} else {
			r.SessionText = string(text)
		}
		if failure != nil {
			r.Error = printable(failure.Error())
		}
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(r); err != nil {
				return err
			}
		} else {
			e.printDecode(&r)
		}
		if failure != nil {
			return fail(exitMalformed, failure)
		}
		return nil
	}
	return c
}

// printDecode writes r for a person. Every field is ASCII by construction.
func (e *env) printDecode(r *decodeReport) {
	w := e.stdout
	fmt.Fprintln(w, "UNVERIFIED: decoded without a key. Anyone can make a cookie with these")
	fmt.Fprintln(w, "contents; run \"sessionkit verify\" with the app's key before trusting them.")
	fmt.Fprintln(w)
	switch {
	case r.Session != nil:
		fmt.Fprintf(w, "session     %s\n", r.Session)
	case r.SessionText != "":
		fmt.Fprintf(w, "session     %s\n", r.SessionText)
	case r.RawJSON != "":
		fmt.Fprintf(w, "payload     %s\n", r.RawJSON)
	}
	if r.Error != "" {
		fmt.Fprintf(w, "error       %s\n", r.Error)
	}
	fmt.Fprintf(w, "signed at   %d (%s)\n", r.Timestamp, r.Time)
	age := formatAge(r.AgeSeconds)
	switch {
	case r.AgeSeconds < 0:
		age = formatAge(-r.AgeSeconds) + " in the future: Flask rejects it"
	case r.AgeSeconds > int64(flask.DefaultMaxAge.Seconds()):
		age += " (older than Flask's default 31 days: Flask rejects it unless PERMANENT_SESSION_LIFETIME is longer)"
	}
	fmt.Fprintf(w, "age         %s\n", age)
	fmt.Fprintf(w, "compressed  %s\n", yesNo(r.Compressed))
	note := ""
	if r.Size > flask.MaxCookieSize {
		note = fmt.Sprintf(": over %d, browsers drop such a cookie", flask.MaxCookieSize)
	}
	fmt.Fprintf(w, "size        %d bytes (name %q %d + value %d, as the browser counts)%s\n", r.Size, r.Name, len(r.Name), r.ValueBytes, note)
	parts := []string{fmt.Sprintf("payload %d", r.PayloadBytes)}
	if r.JSONBytes > 0 {
		parts = append(parts, fmt.Sprintf("JSON %d", r.JSONBytes))
	}
	parts = append(parts, fmt.Sprintf("signature %d", r.SignatureBytes))
	fmt.Fprintf(w, "value       %s bytes\n", strings.Join(parts, ", "))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// sealedReport is decode's -json output for an SK1 token: the header, read
// without a key. Every string in it is ASCII.
type sealedReport struct {
	Verified       bool   `json:"verified"`  // always false: decode has no key
	Format         string `json:"format"`    // "sk1"
	Encrypted      bool   `json:"encrypted"` // always true: the content needs the key
	KeyID          string `json:"key_id"`
	Timestamp      int64  `json:"timestamp"`
	Time           string `json:"time"`
	AgeSeconds     int64  `json:"age_seconds"`
	Name           string `json:"name"`
	Size           int    `json:"size"` // name + value, as the browser's cookie table counts it
	ValueBytes     int    `json:"value_bytes"`
	PlaintextBytes int    `json:"plaintext_bytes"`
	HeaderBytes    int    `json:"header_bytes"`
	TagBytes       int    `json:"tag_bytes"`
}

// decodeSealed shows the unverified header of an SK1 token.
func (e *env) decodeSealed(h seal.Header, name, token string, now time.Time, asJSON bool) error {
	r := sealedReport{
		Format:         "sk1",
		Encrypted:      true,
		KeyID:          h.KeyID.String(),
		Timestamp:      h.IssuedAt.Unix(),
		Time:           formatUnix(h.IssuedAt.Unix()),
		AgeSeconds:     ageSeconds(now.Unix(), h.IssuedAt.Unix()),
		Name:           printable(name),
		Size:           len(name) + len(token),
		ValueBytes:     len(token),
		PlaintextBytes: h.PlaintextLen,
		HeaderBytes:    seal.Overhead - sealTagLen,
		TagBytes:       sealTagLen,
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	}
	w := e.stdout
	fmt.Fprintln(w, "UNVERIFIED: an SK1 sealed token (sessionkit's encrypted session cookie).")
	fmt.Fprintln(w, "Its content is encrypted: decoding it needs the app's key. Run")
	fmt.Fprintln(w, "\"sessionkit verify\" with the key (-key-file, -key-env or SECRET_KEY) to open")
	fmt.Fprintln(w, "it. Below is what its header tells anyone, unverified: anyone can write any")
	fmt.Fprintln(w, "header.")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "key ID      %s (of the secret that sealed it; \"sessionkit audit\" shows a key's ID)\n", r.KeyID)
	fmt.Fprintf(w, "sealed at   %d (%s)\n", r.Timestamp, r.Time)
	age := formatAge(r.AgeSeconds)
	switch {
	case r.AgeSeconds < -int64(seal.DefaultSkew/time.Second):
		age = formatAge(-r.AgeSeconds) + " in the future: readers refuse it beyond their skew (60s by default)"
	case r.AgeSeconds < 0:
		age = formatAge(-r.AgeSeconds) + " in the future, within the default skew of 60s"
	case r.AgeSeconds > int64(seal.DefaultMaxAge/time.Second):
		age += " (older than the default 31 days: refused unless the reader's lifetime is longer)"
	}
	fmt.Fprintf(w, "age         %s\n", age)
	fmt.Fprintf(w, "content     %d bytes, encrypted (the session's tagged JSON; SK1 never compresses)\n", r.PlaintextBytes)
	note := ""
	if r.Size > seal.DefaultLimit {
		note = fmt.Sprintf(": over %d, browsers drop such a cookie", seal.DefaultLimit)
	}
	fmt.Fprintf(w, "size        %d bytes (name %q %d + value %d, as the browser counts)%s\n", r.Size, r.Name, len(r.Name), r.ValueBytes, note)
	fmt.Fprintf(w, "value       header %d (version, key ID, sealed-at, IV), ciphertext %d, tag %d bytes, in base64url\n", r.HeaderBytes, r.PlaintextBytes, r.TagBytes)
	return nil
}

// sealTagLen is the length of an SK1 token's tag (ENCRYPTED.md §3).
const sealTagLen = 32
