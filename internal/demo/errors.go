package demo

import (
	"errors"
	"net/http"
	"strings"

	session "github.com/sessionkit/session"
)

// pageError is one kind of error page: its status and the catalog entries
// "err.<Key>.h" (title), "err.<Key>" (what happened) and "err.<Key>.do"
// (what to do next).
type pageError struct {
	Status int
	Key    string
}

// The error pages of the site.
var (
	errNotFound       = &pageError{http.StatusNotFound, "notfound"}
	errMethod         = &pageError{http.StatusMethodNotAllowed, "method"}
	errCrossOrigin    = &pageError{http.StatusForbidden, "csrf"}
	errConflict       = &pageError{http.StatusConflict, "conflict"}
	errInternal       = &pageError{http.StatusInternalServerError, "internal"}
	errStore          = &pageError{http.StatusServiceUnavailable, "store"}
	errFull           = &pageError{http.StatusUnprocessableEntity, "full"}
	errFormTooLarge   = &pageError{http.StatusRequestEntityTooLarge, "form"}
	errTamperTooLarge = &pageError{http.StatusRequestEntityTooLarge, "tamper"}
)

// errorPage answers r with the page of e: in the visitor's language, with
// the navigation, the inspector, what happened and what to do next. It
// reads no session and writes no session cookie.
func (s *site) errorPage(w http.ResponseWriter, r *http.Request, e *pageError) {
	v := s.baseView(r, "err."+e.Key+".h")
	v.Error = e
	switch e {
	case errNotFound:
		v.ErrorMsg = v.T("err.notfound", r.URL.Path)
	case errMethod:
		v.ErrorMsg = v.T("err.method", r.URL.Path, r.Method, w.Header().Get("Allow"))
	default:
		v.ErrorMsg = v.T("err." + e.Key)
	}
	s.render(w, e.Status, "erro", v)
}

// sessionError answers when the Manager cannot load or save a session. The
// visitor's browser keeps its previous cookie: the Manager sends no
// Set-Cookie with an error.
func (s *site) sessionError(w http.ResponseWriter, r *http.Request, err error) {
	e := errInternal
	switch {
	case errors.Is(err, session.ErrCookieTooLarge), errors.Is(err, session.ErrRecordTooLarge):
		e = errFull
	case errors.Is(err, session.ErrStoreUnavailable):
		e = errStore
	case errors.Is(err, session.ErrConflict):
		e = errConflict
	}
	s.log.Error("session", "method", r.Method, "path", r.URL.Path, "err", err)
	s.errorPage(w, r, e)
}

// noRoute answers the requests no route of the site takes with the site's
// own pages: 405 when probe, which holds the same patterns, has the path
// for other methods (keeping the Allow header it computes), else 404.
func (s *site) noRoute(probe *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, _ := probe.Handler(r)
		var p statusProbe
		h.ServeHTTP(&p, r)
		if p.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", p.Header().Get("Allow"))
			s.errorPage(w, r, errMethod)
			return
		}
		s.errorPage(w, r, errNotFound)
	})
}

// statusProbe records the status and headers a handler writes and drops
// its body.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header {
	if p.header == nil {
		p.header = http.Header{}
	}
	return p.header
}

func (p *statusProbe) WriteHeader(status int) {
	if p.status == 0 {
		p.status = status
	}
}

func (p *statusProbe) Write(b []byte) (int, error) {
	p.WriteHeader(http.StatusOK)
	return len(b), nil
}

// localPath returns p when it is a path of this site that every browser
// reads as such, else "/". Browsers parse a redirect's Location with the
// WHATWG URL parser, which strips leading and trailing C0 controls and
// spaces, removes tabs and newlines anywhere, and reads "\" as "/": so
// "/\evil.example", "/\t/evil.example" or " //evil.example" all become
// the protocol-relative "//evil.example". Rather than list what browsers
// fold, only one plain form is accepted: "/" followed by segments of RFC
// 3986 unreserved characters (letters, digits, "-", ".", "_", "~"), none
// empty (so never "//") and none "." or "..". Nothing in it is stripped,
// folded or decoded by any parser.
func localPath(p string) string {
	if p == "/" {
		return p
	}
	if len(p) < 2 || len(p) > 512 || p[0] != '/' {
		return "/"
	}
	rest := strings.TrimSuffix(p[1:], "/")
	for seg := range strings.SplitSeq(rest, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "/"
		}
		for i := 0; i < len(seg); i++ {
			if !unreserved(seg[i]) {
				return "/"
			}
		}
	}
	return p
}

// unreserved reports whether c is an RFC 3986 unreserved character.
func unreserved(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c == '-' || c == '.' || c == '_' || c == '~'
}
