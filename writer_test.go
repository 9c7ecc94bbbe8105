package session_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	session "github.com/sessionkit/session"
)

// TestCommitBeforeHeaders: the session is saved just before the first
// WriteHeader or Write, and a change after that is reported, not lost
// silently.
func TestCommitBeforeHeaders(t *testing.T) {
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, s *session.Session)
		cookie  bool // the response sets the cookie
		late    bool // ErrCommitted is reported
	}{
		{"set then WriteHeader", func(w http.ResponseWriter, s *session.Session) {
			s.Set("a", "1")
			w.WriteHeader(201)
		}, true, false},
		{"set then Write", func(w http.ResponseWriter, s *session.Session) {
			s.Set("a", "1")
			io.WriteString(w, "body")
		}, true, false},
		{"set, no write", func(w http.ResponseWriter, s *session.Session) { s.Set("a", "1") }, true, false},
		{"WriteHeader then set", func(w http.ResponseWriter, s *session.Session) {
			w.WriteHeader(200)
			s.Set("a", "1")
		}, false, true},
		{"Write then set", func(w http.ResponseWriter, s *session.Session) {
			io.WriteString(w, "body")
			s.Set("a", "1")
		}, false, true},
		{"Flush then flash", func(w http.ResponseWriter, s *session.Session) {
			http.NewResponseController(w).Flush()
			s.Flash("message", "late")
		}, false, true},
		{"Write then read", func(w http.ResponseWriter, s *session.Session) {
			io.WriteString(w, "body")
			s.Has("a") // logged: the headers lack Vary
		}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			var s *session.Session
			srv, c := f.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s = session.FromContext(r.Context())
				tt.handler(w, s)
			}))
			resp, _ := get(t, c, srv.URL)
			if got := sessionCookie(resp.Header, "session") != ""; got != tt.cookie {
				t.Errorf("Set-Cookie present %v, want %v", got, tt.cookie)
			}
			late := errors.Is(s.Err(), session.ErrCommitted)
			if late != tt.late {
				t.Errorf("Err() = %v, late change reported %v, want %v", s.Err(), late, tt.late)
			}
			if logged := strings.Contains(f.logs.String(), "changed after the response headers were written"); logged != tt.late {
				t.Errorf("late change logged %v, want %v:\n%s", logged, tt.late, f.logs)
			}
			lateRead := tt.name == "Write then read"
			if logged := strings.Contains(f.logs.String(), "lack Vary"); logged != lateRead {
				t.Errorf("late read logged %v, want %v:\n%s", logged, lateRead, f.logs)
			}
		})
	}
}

// TestResponseController: Flush, deadlines and Hijack reach the real
// connection through the wrapper (Unwrap, FlushError, Hijack).
func TestResponseController(t *testing.T) {
	f := newFixture(t)
	flushed := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("streamed", true)
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Errorf("SetWriteDeadline: %v", err)
		}
		io.WriteString(w, "first\n")
		if err := rc.Flush(); err != nil {
			t.Errorf("Flush: %v", err)
		}
		<-flushed // the client has read the first line: it was flushed
		io.WriteString(w, "second\n")
	})
	mux.HandleFunc("/hijack", func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Has("x")
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		buf.Flush()
	})
	srv, c := f.server(t, mux)

	resp, err := c.Get(srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(resp.Body)
	line, _ := br.ReadString('\n')
	close(flushed)
	rest, _ := io.ReadAll(br)
	resp.Body.Close()
	if line != "first\n" || string(rest) != "second\n" {
		t.Errorf("stream %q %q", line, rest)
	}
	if sessionCookie(resp.Header, "session") == "" {
		t.Error("a flushed response lost its Set-Cookie")
	}

	resp, body := get(t, c, srv.URL+"/hijack")
	if body != "hijacked" || resp.StatusCode != 200 {
		t.Errorf("hijack: %d %q", resp.StatusCode, body)
	}
}

// TestCommitFailureDropsOutput: when the save fails before the headers,
// the ErrorHandler's response replaces the handler's, whatever the handler
// writes afterwards.
func TestCommitFailureDropsOutput(t *testing.T) {
	f := newFixture(t)
	f.m.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		http.Error(w, "session error: "+fmt.Sprint(errors.Is(err, session.ErrCookieTooLarge)), http.StatusInsufficientStorage)
	}
	rec := f.serve(t, func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("big", randomText(5000))
		w.Header().Set("X-Handler", "1")
		w.WriteHeader(200)
		n, err := io.WriteString(w, "handler body")
		if n != 0 || err == nil {
			t.Errorf("Write after failed save = %d, %v", n, err)
		}
		if err := http.NewResponseController(w).Flush(); err == nil {
			t.Error("Flush after failed save succeeded")
		}
	}, "")
	if rec.Code != http.StatusInsufficientStorage || rec.Body.String() != "session error: true\n" {
		t.Errorf("got %d %q", rec.Code, rec.Body.String())
	}
}

// TestConcurrentUse: the handler's goroutines share the session; run with
// -race.
func TestConcurrentUse(t *testing.T) {
	f := newFixture(t)
	const workers, each = 8, 50
	srv, c := f.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		var wg sync.WaitGroup
		for g := range workers {
			wg.Go(func() {
				for i := range each {
					key := fmt.Sprintf("k%d", g)
					n, _ := session.Get[int](s, key)
					s.Set(key, n+1)
					s.Has(key)
					s.Len()
					for range s.All() {
					}
					if i%10 == 0 {
						s.Flash("message", key)
					}
					s.SetPermanent(true)
				}
			})
		}
		wg.Wait()
		// A write racing with a late change: the change is reported.
		wg.Go(func() { io.WriteString(w, "done") })
		wg.Go(func() { s.Set("racing", true) })
		wg.Wait()
	}))
	get(t, c, srv.URL)
	values := f.decode(t, jarValue(t, c, srv.URL, "session"))
	for g := range workers {
		if got := values[fmt.Sprintf("k%d", g)]; got != int64(each) {
			t.Errorf("k%d = %v, want %d", g, got, each)
		}
	}
	if got := len(values["_flashes"].([]any)); got != workers*each/10 {
		t.Errorf("%d flashes, want %d", got, workers*each/10)
	}
}

// TestHijackWithPendingCookieWarns: a session change before a hijack
// cannot be sent by the middleware; it says so.
func TestHijackWithPendingCookieWarns(t *testing.T) {
	f := newFixture(t)
	srv, c := f.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("ws", true)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
		buf.Flush()
	}))
	get(t, c, srv.URL)
	if !strings.Contains(f.logs.String(), "hijacked") {
		t.Errorf("no warning:\n%s", f.logs)
	}
}

// TestEarlyHints: a 103 before the final response does not commit the
// session; a change after it is still saved.
func TestEarlyHints(t *testing.T) {
	f := newFixture(t)
	srv, c := f.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload; as=style")
		w.WriteHeader(http.StatusEarlyHints)
		session.FromContext(r.Context()).Set("after", "hints")
		io.WriteString(w, "ok")
	}))
	resp, body := get(t, c, srv.URL)
	if body != "ok" || sessionCookie(resp.Header, "session") == "" {
		t.Errorf("body %q, Set-Cookie %q", body, sessionCookie(resp.Header, "session"))
	}
}
