package demo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
)

// Multi-instance run: how many names the client adds, and before which one
// an instance is killed.
const (
	multiNames  = 30
	multiKillAt = 10
	multiVictim = 1 // index of the instance that is killed
)

// TestMultiInstance runs three `sessionkit demo` processes that share one
// store and one secret key, as instances behind a load balancer do. One
// client (one cookie jar: cookies for 127.0.0.1 ignore the port, so its
// session follows it) adds names to Exemplo 02's list while bouncing
// between the instances round-robin. Before the eleventh name one instance
// is killed with SIGKILL while it is handling that name's POST; the client,
// like a load balancer, moves on to the next instance when one cannot be
// reached. Every page must list exactly the names added so far, in order,
// and in the end every surviving instance lists all of them. The cookie
// must carry only the signed session ID. Last, a logout through one
// survivor must end the session on the other.
//
// The kill comes at two moments, in two runs per store: while the handler
// reads the form (the session is loaded, nothing saved: the name must not
// be there, and is added through another instance), and once the answer
// has begun (the session is saved, but the client never sees the answer:
// the name must be there exactly once, and is not sent again).
func TestMultiInstance(t *testing.T) {
	if testing.Short() {
		t.Skip("starts six sessionkit processes; skipped with -short")
	}
	stores := []struct {
		name, spec string
		err        error // why the store cannot be used, if it cannot
	}{
		{name: "redis", spec: redisSpec()},
		{name: "postgres", spec: postgresSpec()},
	}
	reachable := false
	for i := range stores {
		stores[i].err = storeReachable(stores[i].spec)
		reachable = reachable || stores[i].err == nil
	}
	var bin string
	if reachable {
		bin = buildSessionkit(t) // once, for both stores
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			if st.err != nil {
				if os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" {
					t.Fatalf("%v (SESSIONKIT_REQUIRE_ALL=1)", st.err)
				}
				t.Skipf("server not reachable, multi-instance run skipped: %v", st.err)
			}
			for _, mode := range []killMode{killReadingForm, killAnswering} {
				t.Run(mode.String(), func(t *testing.T) { runMultiInstance(t, bin, st.spec, mode) })
			}
		})
	}
}

// storeReachable opens and closes the store spec names, as the demo does.
func storeReachable(spec string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, closeStore, err := openStore(ctx, spec)
	if err != nil {
		return err
	}
	return closeStore()
}

// killMode says when killDuringPost kills the instance.
type killMode int

const (
	killReadingForm killMode = iota // the handler is reading the form
	killAnswering                   // the answer's status line has come
)

func (m killMode) String() string {
	if m == killReadingForm {
		return "killed_reading_form"
	}
	return "killed_answering"
}

func runMultiInstance(t *testing.T, bin, spec string, mode killMode) {
	start := time.Now()
	key := testKey(t)
	var procs []*demoProcess
	for range 3 {
		procs = append(procs, startDemo(t, bin, []string{"SECRET_KEY=" + string(key)},
			"demo", "-addr", "127.0.0.1:0", "-store", spec, "-store-timeout", "1m")) // slow machines: see TestConcurrentClients
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	m, err := session.New(key)
	if err != nil {
		t.Fatal(err)
	}
	signer := m.IDSigner()
	b := &balancer{
		t:        t,
		client:   &http.Client{Jar: jar, Transport: transport, Timeout: 10 * time.Second},
		procs:    procs,
		failures: make([]int, len(procs)),
		signer:   signer,
	}

	var want []string
	for i := range multiNames {
		name := fmt.Sprintf("%02d Zé & <Ana> \"O'Neil\"", i+1)
		if i == multiKillAt {
			b.killDuringPost(multiVictim, name, mode)
			// As after any failed POST, look before resending.
			next := append(want[:len(want):len(want)], name)
			switch got := b.list(); {
			case mode == killReadingForm && !slices.Equal(got, want):
				b.fatalf("the instance handling %q was killed before it read the form, yet the list is\n%q\nwant\n%q", name, got, want)
			case mode == killAnswering && !slices.Equal(got, next):
				b.fatalf("the instance handling %q was killed after it began its answer (so after saving), yet the list is\n%q\nwant\n%q", name, got, next)
			case mode == killAnswering:
				b.logf("  the name was saved before the kill; not sent again")
				want = next
				b.checkCookie()
				continue
			}
		}
		want = b.add(name, want)
		b.checkCookie()
	}

	for i, p := range procs {
		if i == multiVictim {
			if _, err := b.client.Get(p.url + "exemplo02"); err == nil {
				b.fatalf("the killed instance %d still answers", i)
			}
			continue
		}
		body, err := b.page(i)
		if err != nil {
			b.fatalf("instance %d: %v", i, err)
		}
		if got := listedNames(t, body); !slices.Equal(got, want) {
			b.fatalf("instance %d lists %d names:\n%q\nwant %d:\n%q", i, len(got), got, len(want), want)
		}
	}
	// Logging out through one survivor ends the session on the other
	// (and removes the test's record from the store).
	out, other := (multiVictim+1)%len(procs), (multiVictim+2)%len(procs)
	resp, err := b.client.PostForm(procs[out].url+"desafio/sair", nil)
	if err != nil {
		b.fatalf("logout through instance %d: %v", out, err)
	}
	b.read(out, resp)
	b.logf("logout through instance %d", out)
	body, err := b.page(other)
	if err != nil {
		b.fatalf("instance %d: %v", other, err)
	}
	if got := listedNames(t, body); len(got) != 0 {
		b.fatalf("after a logout through instance %d, instance %d still lists %d names", out, other, len(got))
	}
	for i, n := range b.failures {
		if i != multiVictim && n > 0 {
			b.fatalf("instance %d, which was not killed, failed %d requests", i, n)
		}
	}
	if b.failures[multiVictim] == 0 {
		b.fatalf("no request to the killed instance failed: the kill was not exercised")
	}
	t.Logf("%s, %v: %d names kept in order by %d surviving instances; %d requests to the killed instance failed and were sent elsewhere; cookie %d bytes; %v",
		spec, mode, len(want), len(procs)-1, b.failures[multiVictim], b.cookieSize, time.Since(start).Round(time.Millisecond))
}

// balancer is the client and the load balancer in front of the instances:
// it sends each request to the next instance round-robin and, when an
// instance cannot be reached, to the one after it.
type balancer struct {
	t        *testing.T
	client   *http.Client
	procs    []*demoProcess
	next     int
	failures []int    // per instance, requests that got no answer
	history  []string // what happened, for failure messages
	signer   *flask.Signer

	id         string // the session ID the cookie carries
	cookieSize int
}

func (b *balancer) logf(format string, args ...any) {
	b.history = append(b.history, fmt.Sprintf(format, args...))
}

func (b *balancer) fatalf(format string, args ...any) {
	b.t.Helper()
	b.t.Fatalf("%s\nsequence:\n  %s", fmt.Sprintf(format, args...), strings.Join(b.history, "\n  "))
}

// pick returns the next instance in round-robin order.
func (b *balancer) pick() int {
	i := b.next % len(b.procs)
	b.next++
	return i
}

// add adds name to the list, which holds want, and returns the new list.
// When the POST gets no answer the name may or may not have been saved
// before the instance failed, so add looks at the list through another
// instance before resending, as a client with idempotency keys would: the
// name must then be there exactly once or not at all.
func (b *balancer) add(name string, want []string) []string {
	b.t.Helper()
	next := append(want[:len(want):len(want)], name)
	for range len(b.procs) {
		i := b.pick()
		body, err := b.post(i, name)
		if err != nil {
			b.failures[i]++
			b.logf("POST %.2s… to instance %d: no answer (%v)", name, i, err)
			switch got := b.list(); {
			case slices.Equal(got, next):
				b.logf("  the name was saved before the failure")
				return next
			case !slices.Equal(got, want):
				b.fatalf("after a failed POST of %q the list is\n%q\nwant it without or with that name once:\n%q", name, got, next)
			}
			continue
		}
		b.logf("POST %.2s… to instance %d: ok", name, i)
		if got := listedNames(b.t, body); !slices.Equal(got, next) {
			b.fatalf("after adding %q through instance %d the page lists %d names:\n%q\nwant %d:\n%q", name, i, len(got), got, len(next), next)
		}
		return next
	}
	b.fatalf("no instance answered the POST of %q", name)
	return nil
}

// list returns the names that the next instance that answers lists.
func (b *balancer) list() []string {
	b.t.Helper()
	for range len(b.procs) {
		i := b.pick()
		body, err := b.page(i)
		if err != nil {
			b.failures[i]++
			b.logf("GET to instance %d: no answer (%v)", i, err)
			continue
		}
		got := listedNames(b.t, body)
		b.logf("GET to instance %d: %d names", i, len(got))
		return got
	}
	b.fatalf("no instance answered GET /exemplo02")
	return nil
}

// post sends the form of Exemplo 02 to instance i and returns the page
// that the redirect leads to. An error means the instance did not answer.
func (b *balancer) post(i int, name string) (string, error) {
	b.t.Helper()
	resp, err := b.client.PostForm(b.procs[i].url+"exemplo02", url.Values{"nome": {name}})
	if err != nil {
		return "", err
	}
	return b.read(i, resp), nil
}

// page gets /exemplo02 from instance i.
func (b *balancer) page(i int) (string, error) {
	b.t.Helper()
	resp, err := b.client.Get(b.procs[i].url + "exemplo02")
	if err != nil {
		return "", err
	}
	return b.read(i, resp), nil
}

// read returns resp's body, failing unless it is a 200 from instance i.
func (b *balancer) read(i int, resp *http.Response) string {
	b.t.Helper()
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		b.fatalf("instance %d: reading the page: %v", i, err)
	}
	if resp.StatusCode != http.StatusOK {
		b.fatalf("instance %d: %s %s = %d:\n%s", i, resp.Request.Method, resp.Request.URL, resp.StatusCode, body)
	}
	if !strings.HasPrefix(b.procs[i].url, "http://"+resp.Request.URL.Host+"/") {
		b.fatalf("instance %d: the redirect left for %s", i, resp.Request.URL)
	}
	return string(body)
}

// killDuringPost sends the POST of name to instance i and kills the
// instance with SIGKILL in the middle. With killReadingForm the request
// asks for "100 Continue", which the server sends when the handler starts
// reading the form, after the session middleware has loaded the session;
// the kill comes then, and the request gets no answer. With killAnswering
// the kill comes once the answer's status line has arrived, which the
// session middleware sends only after saving; the client drops the answer,
// as when the connection to the balancer breaks at that moment.
func (b *balancer) killDuringPost(i int, name string, mode killMode) {
	b.t.Helper()
	p := b.procs[i]
	u, err := url.Parse(p.url)
	if err != nil {
		b.t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		b.fatalf("instance %d: %v", i, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	var cookies []string
	for _, c := range b.client.Jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	form := url.Values{"nome": {name}}.Encode()
	expect, wantStatus := "Expect: 100-continue\r\n", "HTTP/1.1 100 "
	if mode == killAnswering {
		expect, wantStatus = "", "HTTP/1.1 303 "
	}
	fmt.Fprintf(conn, "POST /exemplo02 HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: %d\r\n%sCookie: %s\r\n\r\n", u.Host, len(form), expect, strings.Join(cookies, "; "))
	if mode == killAnswering {
		io.WriteString(conn, form)
	}
	r := bufio.NewReader(conn)
	status, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(status, wantStatus) {
		b.fatalf("instance %d: waiting for %q: got %q, %v", i, wantStatus, status, err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		b.t.Fatal(err)
	}
	if exited, _ := p.wait(10 * time.Second); !exited {
		b.fatalf("instance %d still runs 10s after SIGKILL", i)
	}
	b.failures[i]++
	if mode == killAnswering {
		b.logf("POST %.2s… to instance %d: SIGKILL after %q; the answer is dropped", name, i, strings.TrimSpace(status))
		return
	}
	b.logf("POST %.2s… to instance %d: SIGKILL while its handler reads the form", name, i)
	conn.Write([]byte(form)) // the peer is gone; an error here is expected
	if resp, err := http.ReadResponse(r, nil); err == nil {
		resp.Body.Close()
		b.fatalf("instance %d answered %s after SIGKILL", i, resp.Status)
	}
}

// checkCookie checks that the session cookie in the jar holds only the
// signed session ID, always the same one.
func (b *balancer) checkCookie() {
	b.t.Helper()
	u, _ := url.Parse(b.procs[0].url)
	var c *http.Cookie
	for _, k := range b.client.Jar.Cookies(u) {
		if k.Name == "session" {
			c = k
		}
	}
	if c == nil {
		b.fatalf("the client holds no session cookie")
		return
	}
	payload, _, _, err := b.signer.Unsign(c.Value)
	if err != nil {
		b.fatalf("session cookie %q: %v", c.Value, err)
	}
	// "sk~" and 256 bits in unpadded base64url.
	if len(payload) != 3+43 || !strings.HasPrefix(payload, "sk~") {
		b.fatalf("the session cookie carries %q, want only a session ID", payload)
	}
	if b.id == "" {
		b.id = payload
	} else if payload != b.id {
		b.fatalf("the session ID changed from %q to %q", b.id, payload)
	}
	b.cookieSize = len(c.Name) + len(c.Value)
	if b.cookieSize > 128 {
		b.fatalf("the session cookie is %d bytes, want at most 128 for a signed ID", b.cookieSize)
	}
}

// listedNames returns the names of Exemplo 02's list in page, unescaped.
// It fails t if the list's markup is not the expected one.
func listedNames(t *testing.T, page string) []string {
	t.Helper()
	names, err := parseNames(page)
	if err != nil {
		t.Fatalf("%v:\n%s", err, page)
	}
	return names
}

// parseNames returns the names of Exemplo 02's list in page, unescaped, or
// says how the list's markup is not the expected one.
func parseNames(page string) ([]string, error) {
	_, list, ok := strings.Cut(page, `<ul id="nomes" class="nomes">`)
	if !ok {
		if strings.Contains(page, `<p id="nomes-empty">`) {
			return nil, nil
		}
		return nil, errors.New("Exemplo 02's page has neither the list nor the empty-list note")
	}
	list, _, ok = strings.Cut(list, "</ul>")
	if !ok {
		return nil, errors.New("the list of names is not closed")
	}
	items := strings.Split(list, "</li>")
	if items[len(items)-1] != "" {
		return nil, fmt.Errorf("text after the last item of the list: %q", items[len(items)-1])
	}
	var out []string
	for _, it := range items[:len(items)-1] {
		name, ok := strings.CutPrefix(it, "<li>")
		if !ok || strings.ContainsAny(name, "<>") {
			return nil, fmt.Errorf("unexpected list item %q", it)
		}
		out = append(out, html.UnescapeString(name))
	}
	return out, nil
}
