package flasklogin

import (
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestRememberCookieKnownAnswers checks EncodeCookie against values the
// real Flask-Login 0.6.2 wrote (encode_cookie), including a str
// SECRET_KEY with a non-ASCII letter, which Flask-Login encodes as
// Latin-1.
func TestRememberCookieKnownAnswers(t *testing.T) {
	tests := []struct {
		key     []byte
		payload string
		want    string
	}{
		{[]byte("k"), "7", "7|d00c7d8f315af7b31b870ddfa276911ef52edc60e69e5e97b90822a8ddaf63e58f13129a3c5f93279796dca4ae2f4cf19ff3d2c208ecd3f4edab80e76e2cbea9"},
		{[]byte("cl\xe9"), "josé", "josé|32eab6e3768a660230ae3798dd63248499042b90fb7cd6dde44f9285918f21de23cf99b0139976bc27cee4eb4287d553ce9c89986c0e6269d49f964b3484a356"},
	}
	for _, tt := range tests {
		lm, err := New(tt.key)
		if err != nil {
			t.Fatal(err)
		}
		if got := lm.EncodeCookie(tt.payload); got != tt.want {
			t.Errorf("EncodeCookie(%q) = %q, want %q", tt.payload, got, tt.want)
		}
		if id, ok := lm.DecodeCookie(tt.want); !ok || id != tt.payload {
			t.Errorf("DecodeCookie(%q) = %q, %v", tt.want, id, ok)
		}
		for _, bad := range []string{tt.want[:len(tt.want)-1] + "0", strings.ToUpper(tt.want), "x" + tt.want, tt.payload, ""} {
			if id, ok := lm.DecodeCookie(bad); ok {
				t.Errorf("DecodeCookie(%q) accepted %q", bad, id)
			}
		}
	}
	if _, err := New(nil); err == nil {
		t.Error("New(nil) succeeded")
	}
}

// TestCookieQuoting: every byte survives quoteCookie then werkzeug's
// unquoting, and a quoted value holds nothing that ends a cookie.
func TestCookieQuoting(t *testing.T) {
	for c := 0; c < 256; c++ {
		v := "a" + string([]byte{byte(c)}) + "b|d"
		q := quoteCookie(v)
		if got := unquoteCookie(q); got != v {
			t.Errorf("byte %#x: quoted %q, unquoted %q", c, q, got)
		}
		if strings.ContainsAny(q[min(1, len(q)):max(1, len(q)-1)], ";,\r\n\x00") {
			t.Errorf("byte %#x: quoted %q holds a separator", c, q)
		}
	}
	if q := quoteCookie("7|abc"); q != "7|abc" {
		t.Errorf("a legal value was quoted: %q", q)
	}
}

func TestRequestCookie(t *testing.T) {
	tests := []struct {
		headers []string
		want    string
		ok      bool
	}{
		{[]string{"remember_token=7|ab"}, "7|ab", true},
		{[]string{"a=1", "b=2; remember_token=x"}, "x", true},
		{[]string{`remember_token="a\054b|c"; d=1`}, "a,b|c", true},
		{[]string{"remember_token = v ; x=1"}, "v", true},
		{[]string{"remember_token=1; remember_token=2"}, "1", true},
		{[]string{"remember_token"}, "", true},
		{[]string{"other=1"}, "", false},
		{nil, "", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["Cookie"] = tt.headers
		got, ok := requestCookie(r, DefaultCookieName)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%q: %q, %v; want %q, %v", tt.headers, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzRequestCookie: any Cookie header parses without panicking, to
// valid UTF-8, and a remember-me cookie from it verifies only if it is
// the encoding of its user ID.
func FuzzRequestCookie(f *testing.F) {
	lm, err := New([]byte(testKey))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"remember_token=7|ab", `remember_token="a\054b|c"`, `remember_token="\377`, "=;=;", `a="\"`,
		"remember_token=" + quoteCookie(lm.EncodeCookie(`x, "y" é`))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["Cookie"] = []string{header}
		v, _ := requestCookie(r, DefaultCookieName)
		if !utf8.ValidString(v) {
			t.Fatalf("value %q is not UTF-8", v)
		}
		if id, ok := lm.DecodeCookie(v); ok && lm.EncodeCookie(id) != v {
			t.Fatalf("DecodeCookie accepted %q", v)
		}
		unquoteCookie(header)
	})
}
