package lincheck

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/session"
)

// Handler serves the pages the checks drive, over the request's session:
// POST /append?nome=N appends N to the list "nomes" with session.Append;
// GET /list answers the list as JSON; POST /incr reads the counter "n" with
// Get, sets it plus one and answers the new value; POST /add adds one with
// session.Add; GET /n answers the counter; POST /start stores a value so
// that the session exists.
func Handler() http.Handler {
	mux := http.NewServeMux()
	sess := func(r *http.Request) *session.Session { return session.FromContext(r.Context()) }
	mux.HandleFunc("POST /start", func(w http.ResponseWriter, r *http.Request) {
		s := sess(r)
		s.Set("usuario", "Maria")
		if n, err := strconv.Atoi(r.URL.Query().Get("pad")); err == nil {
			// Random bytes: compression cannot shrink the session into a
			// hybrid cookie.
			pad := make([]byte, n)
			rand.Read(pad)
			s.Set("pad", pad)
		}
	})
	mux.HandleFunc("POST /append", func(w http.ResponseWriter, r *http.Request) {
		if err := session.Append(sess(r), "nomes", r.URL.Query().Get("nome")); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	mux.HandleFunc("GET /list", func(w http.ResponseWriter, r *http.Request) {
		names, _ := session.Get[[]string](sess(r), "nomes")
		json.NewEncoder(w).Encode(names)
	})
	mux.HandleFunc("POST /incr", func(w http.ResponseWriter, r *http.Request) {
		s := sess(r)
		n, _ := session.Get[int](s, "n")
		s.Set("n", n+1)
		fmt.Fprint(w, n+1)
	})
	mux.HandleFunc("POST /add", func(w http.ResponseWriter, r *http.Request) {
		if _, err := session.Add(sess(r), "n", 1); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	mux.HandleFunc("GET /n", func(w http.ResponseWriter, r *http.Request) {
		n, _ := session.Get[int](sess(r), "n")
		fmt.Fprint(w, n)
	})
	return mux
}

// Client talks to Handler's pages on one or more servers, carrying one
// session cookie.
type Client struct {
	URLs   []string // servers, used in turn
	Cookie string   // "session=..." header value
	HTTP   *http.Client
	mu     sync.Mutex // guards next
	next   int
}

func (c *Client) do(method, path string) (int, string, error) {
	c.mu.Lock()
	base := c.URLs[c.next%len(c.URLs)]
	c.next++
	c.mu.Unlock()
	req, err := http.NewRequest(method, base+path, nil)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Cookie", c.Cookie)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// Append appends name.
func (c *Client) Append(name string) Outcome {
	status, _, err := c.do("POST", "/append?nome="+name)
	return OutcomeOf(status, err)
}

// List reads the list.
func (c *Client) List() ([]string, bool) {
	status, body, err := c.do("GET", "/list")
	var names []string
	if err != nil || status != 200 || json.Unmarshal([]byte(body), &names) != nil {
		return nil, false
	}
	return names, true
}

// Incr increments by hand and returns the value answered.
func (c *Client) Incr() (int, Outcome) {
	status, body, err := c.do("POST", "/incr")
	o := OutcomeOf(status, err)
	n, perr := strconv.Atoi(body)
	if o == Done && perr != nil {
		o = Unknown
	}
	return n, o
}

// Add increments with a replayable update.
func (c *Client) Add() Outcome {
	status, _, err := c.do("POST", "/add")
	return OutcomeOf(status, err)
}

// Counter reads the counter.
func (c *Client) Counter() (int, bool) {
	status, body, err := c.do("GET", "/n")
	n, perr := strconv.Atoi(body)
	return n, err == nil && status == 200 && perr == nil
}

// RunStore checks histories of 2, 4, 16 and 64 concurrent clients of one
// session kept in the stores newStore returns, behind two Managers sharing
// the store, as two processes would (each request goes to the next one in
// turn): appends with reads between them, increments by hand, and
// replayable increments. configure, if not nil, adjusts each Manager.
func RunStore(t *testing.T, newStore func(t *testing.T) session.Store, configure func(*session.Manager)) {
	for _, clients := range []int{2, 4, 16, 64} {
		t.Run(fmt.Sprint(clients), func(t *testing.T) {
			store := newStore(t)
			var urls []string
			for range 2 {
				m, err := session.New([]byte("lincheck: vQ7nR2xW9tY4uI6oP1aS3dF5gH8jK0"))
				if err != nil {
					t.Fatal(err)
				}
				m.Store = store
				if configure != nil {
					configure(m)
				}
				srv := httptest.NewServer(m.Handler(Handler()))
				t.Cleanup(srv.Close)
				urls = append(urls, srv.URL)
			}
			transport := &http.Transport{MaxIdleConnsPerHost: 64}
			t.Cleanup(transport.CloseIdleConnections)
			hc := &http.Client{Transport: transport, Timeout: time.Minute}
			for _, w := range []struct {
				name string
				run  func(t *testing.T, c *Client, clients int)
			}{{"appends", Appends}, {"incr", Increments}, {"add", Adds}} {
				t.Run(w.name, func(t *testing.T) {
					c := &Client{URLs: urls, HTTP: hc, Cookie: startCookie(t, hc, urls[0])}
					w.run(t, c, clients)
				})
			}
		})
	}
}

// startCookie makes a session on the server at url and returns its
// Cookie header value.
func startCookie(t *testing.T, hc *http.Client, url string) string {
	t.Helper()
	resp, err := hc.Post(url+"/start?pad=300", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == "session" && ck.Value != "" {
			return "session=" + ck.Value
		}
	}
	t.Fatalf("start set no session cookie")
	return ""
}

// opsFor spreads about 160 changes over clients, at least 4 each.
func opsFor(clients int) int { return max(4, 160/clients) }

func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

// readers is how many clients read after each change. Reads pin down
// when changes took effect, but each concurrent read multiplies the
// checker's search; 16 readers among 64 writers keep it short.
const readers = 16

// Appends has clients append names (the first readers of them reading the
// list after each) and checks the history; with a store every append must
// succeed.
func Appends(t *testing.T, c *Client, clients int) {
	r := NewRecorder()
	parallel(clients, func(i int) {
		for k := range opsFor(clients) {
			name := fmt.Sprintf("c%02d-%03d", i, k)
			r.Append(i, name, func() Outcome { return c.Append(name) })
			if i < readers {
				r.ReadList(i, c.List)
			}
		}
	})
	final := r.ReadList(clients, c.List)
	r.CheckList(t, final)
	report(t, r, clients*opsFor(clients))
}

// Increments has clients increment by hand (Get then Set) and read.
func Increments(t *testing.T, c *Client, clients int) {
	r := NewRecorder()
	parallel(clients, func(i int) {
		for range opsFor(clients) {
			r.Incr(i, c.Incr)
			if i < readers {
				r.ReadCounter(i, c.Counter)
			}
		}
	})
	r.ReadCounter(clients, c.Counter)
	r.CheckCounter(t)
	_, outcomes := r.Operations()
	if outcomes[Unknown] > 0 {
		t.Errorf("%d increments got no clear answer", outcomes[Unknown])
	}
	t.Logf("%d clients: %d increments acknowledged, %d refused (409)", clients, outcomes[Done], outcomes[Refused])
}

// Adds has clients increment with session.Add and read. Increments that
// all look alike make the checker's search grow with the number of them
// in flight at once; past 4 clients the history is checked by counting
// only (CheckAdds), which is exact for a counter that only grows.
func Adds(t *testing.T, c *Client, clients int) {
	r := NewRecorder()
	parallel(clients, func(i int) {
		for range opsFor(clients) {
			r.Add(i, c.Add)
			if i < readers {
				r.ReadCounter(i, c.Counter)
			}
		}
	})
	r.ReadCounter(clients, c.Counter)
	if clients <= 4 {
		r.CheckCounter(t)
	}
	r.CheckAdds(t)
	report(t, r, clients*opsFor(clients))
}

// report fails t unless all want replayable changes were acknowledged.
func report(t *testing.T, r *Recorder, want int) {
	t.Helper()
	_, outcomes := r.Operations()
	if outcomes[Done] != want {
		t.Errorf("%d of %d replayable changes acknowledged (%d refused, %d unknown); want all", outcomes[Done], want, outcomes[Refused], outcomes[Unknown])
	}
}
