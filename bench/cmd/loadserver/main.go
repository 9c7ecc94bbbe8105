// Command loadserver serves one of the load test's tiny sites on a loopback
// address, for bench/load.sh to drive with wrk. It prints its address and
// one Cookie header per session it seeded (-sessions), then serves until
// killed:
//
//	addr 127.0.0.1:PORT
//	cookie session=...      (one line per session)
//
// The session is the medium workload (the lesson's Exemplo 02 after 30 names)
// without "_permanent". Every mode answers GET / with the same greeting.
//
//	bare-readonly    replays, from constants, the bytes sk-readonly answers
//	bare-counter     replays the bytes sk-counter answers, Set-Cookie included
//	sk-readonly      sessionkit cookie session, read only (no Set-Cookie)
//	sk-counter       sessionkit cookie session, a counter rewritten each request
//	sk-redis-counter sessionkit with its Redis store, the same counter
//	scs-counter      alexedwards/scs with its memstore, the same counter
//	gorilla-counter  gorilla/sessions CookieStore, the same counter
//	replay           replays, from constants, the bytes the server at -from
//	                 answers to one GET carrying -cookie (the demo's pages,
//	                 for a bare server serving the same bytes); seeds nothing
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	scsmem "github.com/alexedwards/scs/v2/memstore"
	"github.com/gorilla/sessions"
	"github.com/sessionkit/session"
	"github.com/sessionkit/session/bench"
)

func main() {
	mode := flag.String("mode", "", "site to serve (see the command's doc)")
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	redisAddr := flag.String("redis", "127.0.0.1:6379", "Redis address for sk-redis-counter")
	sessions := flag.Int("sessions", 1, "how many sessions to seed (wrk rotates through their cookies)")
	from := flag.String("from", "", "replay: the URL whose answer to replay")
	cookie := flag.String("cookie", "", "replay: the Cookie header to send to -from")
	flag.Parse()
	if *mode == "replay" {
		if err := runReplay(*addr, *from, *cookie, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "loadserver:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*mode, *addr, *redisAddr, *sessions, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadserver:", err)
		os.Exit(1)
	}
}

func run(mode, addr, redisAddr string, sessions int, stdout io.Writer) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address", addr)
	}
	h, err := site(mode, redisAddr)
	if err != nil {
		return err
	}
	cookies := make([]string, max(sessions, 1))
	for i := range cookies {
		if cookies[i], err = seed(h); err != nil {
			return fmt.Errorf("%s: %w", mode, err)
		}
	}
	if strings.HasPrefix(mode, "bare-") {
		h, err = replay(site(strings.Replace(mode, "bare-", "sk-", 1), redisAddr))
		if err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "addr %s\n", ln.Addr())
	for _, c := range cookies {
		fmt.Fprintf(stdout, "cookie %s\n", c)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: nil}
	return srv.Serve(ln)
}

const greeting = "Bem-vindo, Maria!"

// values is the session every site serves.
func values() map[string]any {
	v := bench.Workloads()[1].Values
	out := map[string]any{}
	for k, x := range v {
		if k != "_permanent" {
			out[k] = x
		}
	}
	return out
}

// seed stores the session through h's /seed and returns the Cookie header
// that carries it.
func seed(h http.Handler) (string, error) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/seed", nil))
	cs := rec.Result().Cookies()
	if rec.Code != http.StatusOK || len(cs) == 0 {
		return "", fmt.Errorf("seed: status %d, %d cookies: %s", rec.Code, len(cs), rec.Body)
	}
	req := httptest.NewRequest("GET", "/", nil)
	for _, c := range cs {
		req.AddCookie(c)
	}
	cookie := req.Header.Get("Cookie")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.String() != greeting {
		return "", fmt.Errorf("check: status %d, body %q", rec.Code, rec.Body)
	}
	return cookie, nil
}

// replay answers every request with the bytes h answered to one request
// carrying its seeded session: the same headers (Set-Cookie included) and
// body, from constants.
func replay(h http.Handler, err error) (http.Handler, error) {
	if err != nil {
		return nil, err
	}
	cookie, err := seed(h)
	if err != nil {
		return nil, err
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", cookie)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	header := rec.Result().Header
	body := rec.Body.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dst := w.Header()
		for k, v := range header {
			dst[k] = v
		}
		w.Write(body)
	}), nil
}

// runReplay serves, on addr, the bytes the server at from answers to a GET
// carrying cookie: its status, its headers (Set-Cookie included) and its
// body, from constants. Date and Content-Length are left to net/http,
// which writes them for every response.
func runReplay(addr, from, cookie string, stdout io.Writer) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address", addr)
	}
	req, err := http.NewRequest("GET", from, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Cookie", cookie)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	header := resp.Header.Clone()
	header.Del("Date")
	header.Del("Content-Length")
	status := resp.StatusCode
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dst := w.Header()
		for k, v := range header {
			dst[k] = v
		}
		w.WriteHeader(status)
		w.Write(body)
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "addr %s\n", ln.Addr())
	fmt.Fprintf(stdout, "cookie %s\n", cookie)
	// The demo's http.Server settings (cmd/sessionkit demo): timeouts cost
	// per request (deadlines are set on the connection), the same for both.
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	return srv.Serve(ln)
}

func site(mode, redisAddr string) (http.Handler, error) {
	vals := values()
	switch mode {
	case "bare-readonly", "bare-counter":
		// Replaced by replay after seeding; seeding needs a real session.
		return site(strings.Replace(mode, "bare-", "sk-", 1), redisAddr)
	case "sk-readonly", "sk-counter":
		return sessionkit(nil, mode == "sk-counter", vals)
	case "sk-redis-counter":
		st, err := redisStore(redisAddr)
		if err != nil {
			return nil, err
		}
		return sessionkit(st, true, vals)
	case "scs-counter":
		sm := scs.New()
		sm.Store = scsmem.NewWithCleanupInterval(0)
		sm.Lifetime = 31 * 24 * time.Hour
		sm.Cookie.Persist = false
		gv := gobValues(vals)
		return sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			if r.URL.Path == "/seed" {
				for k, v := range gv {
					sm.Put(ctx, k, v)
				}
				return
			}
			u := sm.GetString(ctx, "usuario")
			sm.Put(ctx, "visitas", sm.GetInt(ctx, "visitas")+1)
			io.WriteString(w, "Bem-vindo, "+u+"!")
		})), nil
	case "gorilla-counter":
		store := sessions.NewCookieStore([]byte(bench.Key))
		store.MaxAge(0)
		gv := gobValues(vals)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, err := store.Get(r, "session")
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			if r.URL.Path == "/seed" {
				for k, v := range gv {
					s.Values[k] = v
				}
			} else {
				n, _ := s.Values["visitas"].(int)
				s.Values["visitas"] = n + 1
			}
			if err := s.Save(r, w); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			if r.URL.Path != "/seed" {
				u, _ := s.Values["usuario"].(string)
				io.WriteString(w, "Bem-vindo, "+u+"!")
			}
		}), nil
	}
	return nil, fmt.Errorf("unknown -mode %q", mode)
}

// sessionkit serves the session with sessionkit's Manager, in cookie mode
// when st is nil.
func sessionkit(st session.Store, counter bool, vals map[string]any) (http.Handler, error) {
	m, err := session.New([]byte(bench.Key))
	if err != nil {
		return nil, err
	}
	m.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	m.Store = st
	return m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if r.URL.Path == "/seed" {
			for k, v := range vals {
				s.Set(k, v)
			}
			return
		}
		u, _ := session.Get[string](s, "usuario")
		if counter {
			// A replayable update: concurrent counts of one session merge
			// (sk-redis-shared) and all add up.
			if _, err := session.Add(s, "visitas", 1); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		io.WriteString(w, "Bem-vindo, "+u+"!")
	})), nil
}

// gobValues holds lists as []string, the type gob-based libraries use.
func gobValues(v map[string]any) map[string]any {
	out := map[string]any{}
	for k, x := range v {
		if l, ok := x.([]any); ok {
			s := make([]string, len(l))
			for i, e := range l {
				s[i] = e.(string)
			}
			x = s
		}
		out[k] = x
	}
	return out
}

// redisStore is set by redis.go once sessionkit's redisstore exists.
var redisStore = func(addr string) (session.Store, error) {
	return nil, errors.New("sessionkit's redisstore is not available yet")
}
