package flasklogin

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestPyBytesRepr checks the repr CPython 3.11 prints for the same bytes.
func TestPyBytesRepr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `b''`},
		{"abc", `b'abc'`},
		{"it's", `b"it's"`},
		{`it's "q"`, `b'it\'s "q"'`},
		{`"q"`, `b'"q"'`},
		{`\`, `b'\\'`},
		{"\t\n\r\x00\x7f\xff\x80 ~", `b'\t\n\r\x00\x7f\xff\x80 ~'`},
	}
	for _, tt := range tests {
		if got := pyBytesRepr([]byte(tt.in)); got != tt.want {
			t.Errorf("pyBytesRepr(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestIdentifierInputs(t *testing.T) {
	base := httptest.NewRequest("GET", "/", nil)
	base.RemoteAddr = "127.0.0.1:1234"
	base.Header.Set("User-Agent", "x")
	id := Identifier(base)
	same := base.Clone(base.Context())
	same.RemoteAddr = "127.0.0.1:9999" // the port does not count
	if Identifier(same) != id {
		t.Error("the remote port changed the identifier")
	}
	for name, change := range map[string]func(r *http.Request){
		"address":         func(r *http.Request) { r.RemoteAddr = "127.0.0.2:1234" },
		"user agent":      func(r *http.Request) { r.Header.Set("User-Agent", "y") },
		"no user agent":   func(r *http.Request) { r.Header.Del("User-Agent") },
		"empty forwarded": func(r *http.Request) { r.Header.Set("X-Forwarded-For", "") },
	} {
		r := base.Clone(base.Context())
		change(r)
		if Identifier(r) == id {
			t.Errorf("changing the %s kept the identifier", name)
		}
	}
	if len(id) != 128 {
		t.Errorf("identifier %q is not 128 hex digits", id)
	}
}
