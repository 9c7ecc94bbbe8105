package demo

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/session/internal/lincheck"
)

// TestConcurrentClients runs three `sessionkit demo` processes sharing one
// store (SQLite, Redis, then PostgreSQL) and has clients of ONE session add
// names to Exemplo 02's list at the same time, each request going to the
// next process in turn, and read the list between their adds. Every
// acknowledged name must be there once, in an order some serial run of the
// requests explains, and nothing else: the history is checked for
// linearizability (internal/lincheck). A single process with the memory
// store runs the same load.
//
// SESSIONKIT_CONCURRENT_POSTS sets how many names each client adds
// (default 10), for a longer run that measures.
func TestConcurrentClients(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sessionkit processes; skipped with -short")
	}
	posts := 10
	if n, err := strconv.Atoi(os.Getenv("SESSIONKIT_CONCURRENT_POSTS")); err == nil && n > 0 {
		posts = n
	}
	bin := buildSessionkit(t)
	stores := []struct {
		name, spec string
		procs      int
	}{
		{"memory", "memory", 1},
		{"sqlite", "sqlite:" + t.TempDir() + "/sessions.db", 3},
		{"redis", redisSpec(), 3},
		{"postgres", postgresSpec(), 3},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			if err := storeReachable(st.spec); err != nil {
				if os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" {
					t.Fatalf("%v (SESSIONKIT_REQUIRE_ALL=1)", err)
				}
				t.Skipf("store not reachable: %v", err)
			}
			key := testKey(t)
			var urls []string
			for range st.procs {
				// A generous store timeout: on a busy machine a save can
				// wait long for the row another process holds, and this
				// test is about merging, not speed.
				p := startDemo(t, bin, []string{"SECRET_KEY=" + string(key)}, "demo", "-addr", "127.0.0.1:0", "-store", st.spec, "-store-timeout", "1m")
				urls = append(urls, p.url)
			}
			for _, clients := range []int{2, 4, 16} {
				t.Run(fmt.Sprint(clients), func(t *testing.T) {
					runConcurrentClients(t, urls, clients, posts)
				})
			}
		})
	}
}

// demoClient adds names through Exemplo 02's form and reads its list, on
// the demo processes at urls in turn, carrying one session cookie.
type demoClient struct {
	urls   []string
	cookie string
	http   *http.Client
	mu     sync.Mutex // guards next, status
	next   int
	status map[int]int // how many adds got each status
}

func (c *demoClient) url() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next++
	return c.urls[c.next%len(c.urls)]
}

// add posts name; a 303 is the acknowledgement, a 409 or 422 a refusal.
func (c *demoClient) add(name string) lincheck.Outcome {
	req, err := http.NewRequest("POST", c.url()+"exemplo02", strings.NewReader(url.Values{"nome": {name}}.Encode()))
	if err != nil {
		return lincheck.Unknown
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", c.cookie)
	resp, err := c.http.Do(req)
	if err != nil {
		return lincheck.Unknown
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	c.mu.Lock()
	c.status[resp.StatusCode]++
	c.mu.Unlock()
	switch resp.StatusCode {
	case http.StatusSeeOther:
		return lincheck.Done
	case http.StatusConflict, http.StatusUnprocessableEntity:
		return lincheck.Refused
	}
	return lincheck.Unknown
}

// list reads the names.
func (c *demoClient) list() ([]string, bool) {
	req, err := http.NewRequest("GET", c.url()+"exemplo02", nil)
	if err != nil {
		return nil, false
	}
	req.Header.Set("Cookie", c.cookie)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		return nil, false
	}
	names, err := parseNames(string(body))
	return names, err == nil
}

func runConcurrentClients(t *testing.T, urls []string, clients, posts int) {
	transport := &http.Transport{MaxIdleConnsPerHost: 32}
	t.Cleanup(transport.CloseIdleConnections)
	hc := &http.Client{Transport: transport, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	c := &demoClient{urls: urls, http: hc, status: map[int]int{}}
	// The session exists before the clients start: they share its cookie
	// (a server-side session's ID does not change on a write).
	resp, err := hc.PostForm(urls[0]+"exemplo02", url.Values{"nome": {"primeiro"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == "session" {
			c.cookie = "session=" + ck.Value
		}
	}
	if c.cookie == "" {
		t.Fatal("the first POST set no session cookie")
	}
	r := lincheck.NewRecorder()
	r.Append(clients, "primeiro", func() lincheck.Outcome { return lincheck.Done })
	var mu sync.Mutex // guards acked
	acked := map[string]bool{}
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			for k := range posts {
				name := fmt.Sprintf("c%02d-%03d", i, k)
				if r.Append(i, name, func() lincheck.Outcome { return c.add(name) }) == lincheck.Done {
					mu.Lock()
					acked[name] = true
					mu.Unlock()
				}
				if k%2 == 1 {
					r.ReadList(i, c.list)
				}
			}
		})
	}
	wg.Wait()
	final := r.ReadList(clients, c.list)
	r.CheckList(t, final)
	_, outcomes := r.Operations()
	in := map[string]bool{}
	for _, n := range final {
		in[n] = true
	}
	lost := 0
	for name := range acked {
		if !in[name] {
			lost++
		}
	}
	t.Logf("%d clients x %d POSTs on %d process(es): %d acknowledged, %d lost, %d refused as conflicts (409), %d refused by the 500-name limit (422), %d unknown",
		clients, posts, len(urls), len(acked), lost, c.status[http.StatusConflict], c.status[http.StatusUnprocessableEntity], outcomes[lincheck.Unknown])
	if want := min(clients*posts, maxNames-1); len(acked) < want || c.status[http.StatusConflict] > 0 {
		t.Errorf("%d of %d appends acknowledged, %d refused as conflicts; want every append up to the list's limit, none refused", len(acked), clients*posts, c.status[http.StatusConflict])
	}
}
