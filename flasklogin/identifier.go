package flasklogin

import (
	"crypto/sha512"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
)

// Identifier returns the identifier Flask-Login's _create_identifier
// computes for r and stores under "_id": the hex SHA-512 of
//
//	repr(address) + "|" + repr(user_agent)
//
// where address is the first comma-separated element of X-Forwarded-For
// (when the header is present, even empty), else the remote address, with
// ASCII whitespace stripped; both are the UTF-8 encoding of the header as
// a WSGI server hands it over (each byte decoded as Latin-1), written as a
// Python bytes literal (b'...'), or None when absent.
//
// Go's server gives the same header values as werkzeug's and gunicorn's
// (repeated headers are joined with ",", as they join them), except for
// trailing whitespace, which Go strips and werkzeug's development server
// keeps; browsers send none. The remote address must be the same text on
// both sides: behind a shared proxy that sets X-Forwarded-For it is.
func Identifier(r *http.Request) string {
	addr := "None"
	if v, ok := header(r, "X-Forwarded-For"); ok {
		addr = pyBytesRepr(firstAddress(latin1ToUTF8(v)))
	} else if r.RemoteAddr != "" {
		host := r.RemoteAddr
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		addr = pyBytesRepr(firstAddress(latin1ToUTF8(host)))
	}
	ua := "None"
	if v, ok := header(r, "User-Agent"); ok {
		ua = pyBytesRepr(latin1ToUTF8(v))
	}
	sum := sha512.Sum512([]byte(addr + "|" + ua))
	return hex.EncodeToString(sum[:])
}

// header returns a request header as a WSGI application sees it: repeated
// headers joined with ",", and whether it is present at all.
func header(r *http.Request, name string) (string, bool) {
	v, ok := r.Header[http.CanonicalHeaderKey(name)]
	if !ok || len(v) == 0 {
		return "", false
	}
	return strings.Join(v, ","), true
}

// latin1ToUTF8 is Python's value.encode("utf-8") of a header that the WSGI
// server decoded as Latin-1: each byte of 0x80 or more becomes two bytes.
func latin1ToUTF8(s string) []byte {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 {
			b = append(b, c)
		} else {
			b = append(b, 0xc0|c>>6, 0x80|c&0x3f)
		}
	}
	return b
}

// firstAddress is address.split(b",")[0].strip(): the first element, with
// the ASCII whitespace bytes.strip removes.
func firstAddress(b []byte) []byte {
	for i, c := range b {
		if c == ',' {
			b = b[:i]
			break
		}
	}
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' }
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// pyBytesRepr is CPython's repr of a bytes object: b'...', or b"..." when
// the bytes hold a single quote and no double quote; backslash and the
// quote escaped, \t \n \r, \xhh (lowercase) for other bytes outside
// printable ASCII.
func pyBytesRepr(b []byte) string {
	const digits = "0123456789abcdef"
	quote := byte('\'')
	if strings.IndexByte(string(b), '\'') >= 0 && strings.IndexByte(string(b), '"') < 0 {
		quote = '"'
	}
	out := make([]byte, 0, len(b)+3)
	out = append(out, 'b', quote)
	for _, c := range b {
		switch {
		case c == quote || c == '\\':
			out = append(out, '\\', c)
		case c == '\t':
			out = append(out, '\\', 't')
		case c == '\n':
			out = append(out, '\\', 'n')
		case c == '\r':
			out = append(out, '\\', 'r')
		case c < 0x20 || c >= 0x7f:
			out = append(out, '\\', 'x', digits[c>>4], digits[c&0xf])
		default:
			out = append(out, c)
		}
	}
	return string(append(out, quote))
}
