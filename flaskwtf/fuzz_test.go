package flaskwtf

import (
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/session/flask"
)

// FuzzUnsign feeds hostile tokens to the token decoder: it must never
// panic, and whatever it accepts must be a token signed with the key (the
// fuzzer cannot forge one, so only the seeds and their canonical
// respellings may pass).
func FuzzUnsign(f *testing.F) {
	c, err := New([]byte(testKey))
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1700000000, 0)
	good := c.sign("0123456789abcdef0123456789abcdef01234567", now)
	for _, s := range []string{
		good, good + "=", "", ".", "..", "a.b.c", "." + good, good[:len(good)-1],
		strings.Replace(good, ".", "..", 1), c.sign("", now), c.sign("café", now.Add(-time.Hour)),
		// Flask-WTF's compressed token for a repetitive raw token.
		".eJxTMjA0MjYxNTO3sExMSk5JTcPFVwIA4koKpQ.ZVPxAA.tMsqs3DuQ-_SEFq12GDet2lPbn4",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		raw, err := c.unsign(token, now)
		if err != nil {
			if err != ErrTokenInvalid && err != ErrTokenExpired {
				t.Fatalf("unsign returned %v", err)
			}
			return
		}
		p, perr := flask.Parse(token)
		if perr != nil {
			t.Fatalf("unsign accepted %q, which does not parse: %v", token, perr)
		}
		if !p.Compressed && c.sign(raw, time.Unix(p.Timestamp, 0)) != token {
			t.Fatalf("unsign accepted %q, which is not the token of %q", token, raw)
		}
	})
}
