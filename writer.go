package session

import (
	"bufio"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
)

// errCommitFailed is returned by Write after the session could not be
// saved: the ErrorHandler's response replaced the handler's.
var errCommitFailed = errors.New("session: response replaced by the error handler: the session could not be saved")

// commit states of a responseWriter.
const (
	pending = iota // the session is not written yet
	done           // the session went out with the headers
	failed         // saving failed; the ErrorHandler wrote the response
)

// responseWriter saves the session just before the response headers are
// written: on the first WriteHeader, Write, Flush or Hijack, or when the
// handler returns without writing. Like any http.ResponseWriter it must not
// be written from two goroutines at once; the Session, which has its own
// lock, may be.
type responseWriter struct {
	http.ResponseWriter
	h      *handler
	s      *Session
	r      *http.Request
	state  int
	cookie bool // commit added the session's Set-Cookie
	// The header values commit adds, when the handler set none of these
	// headers: slices of capacity 1 over these arrays (a handler's append
	// copies them), inside the request's one allocation.
	vary, cacheControl, setCookie [1]string
}

// commit saves the session into the response headers, or reports the
// failure through the ErrorHandler. It reports whether the handler's
// output may go on.
func (w *responseWriter) commit() bool {
	if w.state != pending {
		return w.state == done
	}
	c, s := w.h.cfg, w.s
	s.mu.Lock()
	s.commit.done = true
	ck, err := w.h.b.save(w.r.Context(), s, c.now())
	if err != nil && s.commit.err == nil {
		s.commit.err = err
	}
	vary := err == nil && (s.changes.accessed || !ck.none())
	s.commit.varySent = vary
	s.mu.Unlock()
	if err != nil {
		w.state = failed
		c.handleError(w.ResponseWriter, w.r, err)
		return false
	}
	w.state = done
	h := w.ResponseWriter.Header()
	if vary {
		addVary(h, &w.vary)
	}
	if !ck.none() {
		addHeader(h, "Set-Cookie", c.header(ck), &w.setCookie)
		w.cookie = true
		addCacheControl(h, ck.erase, &w.cacheControl)
	}
	return true
}

// finish runs when the handler returns.
func (w *responseWriter) finish() { w.commit() }

// WriteHeader saves the session, then writes the header; after a failed
// save it does nothing, the ErrorHandler having answered. Informational
// responses (103 Early Hints and the like) pass through: the session is
// saved with the final header.
func (w *responseWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols && w.state == pending {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if w.commit() {
		w.ResponseWriter.WriteHeader(code)
	}
}

// Write saves the session if the headers are not written yet, then writes
// b; after a failed save it drops b and returns an error.
func (w *responseWriter) Write(b []byte) (int, error) {
	if !w.commit() {
		return 0, errCommitFailed
	}
	return w.ResponseWriter.Write(b)
}

// Flush saves the session, then flushes the response.
func (w *responseWriter) Flush() { _ = w.FlushError() }

// FlushError is Flush that reports whether the underlying writer could
// flush; http.ResponseController calls it.
func (w *responseWriter) FlushError() error {
	if !w.commit() {
		return errCommitFailed
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack saves the session, then hands the connection over. The session's
// Set-Cookie goes into the response headers, which a hijacking handler
// must send itself; a session change after the hijack is lost and logged.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.commit() {
		return nil, nil, errCommitFailed
	}
	if w.cookie {
		w.h.cfg.logger.LogAttrs(w.r.Context(), slog.LevelWarn,
			"session: connection hijacked while the session's Set-Cookie was pending in the response headers; unless the handler sends those headers, the session change is lost")
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// addHeader adds the value v to the header key (in canonical form),
// through buf when key has no value yet.
func addHeader(h http.Header, key, v string, buf *[1]string) {
	if old, ok := h[key]; ok {
		h[key] = append(old, v)
		return
	}
	buf[0] = v
	h[key] = buf[:]
}

// addVary adds "Cookie" to the Vary header unless it is there already (or
// Vary is "*"), keeping what the handler put there; buf as in addHeader.
func addVary(h http.Header, buf *[1]string) {
	if _, ok := h["Vary"]; !ok {
		addHeader(h, "Vary", "Cookie", buf)
		return
	}
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if f == "*" || strings.EqualFold(f, "Cookie") {
				return
			}
		}
	}
	h.Add("Vary", "Cookie")
}

// addCacheControl keeps shared caches from storing a response that sets
// the session cookie: it adds "private" (the directive caches honour; the
// OWASP cheat sheet notes no-cache="Set-Cookie" is poorly supported) and
// no-cache="Set-Cookie" (for caches that do honour it), and removes a
// "public" the handler set. A deletion (logout) gets "no-store", so that
// the back button cannot show pages of the ended session. Directives the
// handler set otherwise stay. buf as in addHeader.
func addCacheControl(h http.Header, deletion bool, buf *[1]string) {
	if _, ok := h["Cache-Control"]; !ok {
		if deletion {
			addHeader(h, "Cache-Control", `private, no-cache="Set-Cookie", no-store`, buf)
		} else {
			addHeader(h, "Cache-Control", `private, no-cache="Set-Cookie"`, buf)
		}
		return
	}
	var keep []string
	private, noStore, noCache := false, false, false
	for _, v := range h.Values("Cache-Control") {
		for _, d := range strings.Split(v, ",") {
			d = strings.TrimSpace(d)
			name, arg, hasArg := strings.Cut(d, "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "", "public":
				continue
			case "private":
				private = true
			case "no-store":
				noStore = true
			case "no-cache":
				// Bare no-cache covers every header; a field list only the
				// headers it names.
				noCache = noCache || !hasArg || strings.Contains(strings.ToLower(arg), "set-cookie")
			}
			keep = append(keep, d)
		}
	}
	if !private && !noStore {
		keep = append(keep, "private")
	}
	if !noCache && !noStore {
		keep = append(keep, `no-cache="Set-Cookie"`)
	}
	if deletion && !noStore {
		keep = append(keep, "no-store")
	}
	h.Set("Cache-Control", strings.Join(keep, ", "))
}
