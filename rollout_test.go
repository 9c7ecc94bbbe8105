package session_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"strings"
	"testing"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/testenv"
)

// TestRolloutInstance is not a test: TestSealedRollout runs the test binary
// again with SESSIONKIT_ROLLOUT_KEYS set (keys separated by commas, the
// current one first), and this function then serves a counter kept in a
// sealed session until the process is killed.
func TestRolloutInstance(t *testing.T) {
	keys := os.Getenv("SESSIONKIT_ROLLOUT_KEYS")
	if keys == "" {
		t.Skip("helper process for TestSealedRollout")
	}
	var ring [][]byte
	for _, k := range strings.Split(keys, ",") {
		ring = append(ring, []byte(k))
	}
	m, err := session.NewSealed(sessionScope, ring[0], ring[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	m.Logger = newTextLogger(io.Discard)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("ADDR %s\n", ln.Addr())
	http.Serve(ln, m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := session.Add(session.FromContext(r.Context()), "n", 1)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, n)
	})))
}

// TestSealedRollout rotates the key of three processes serving sealed
// sessions the staged way (docs/ENCRYPTED.md): the new key added as a
// fallback everywhere, then made current everywhere, then the old key
// removed, each stage a rolling restart; meanwhile clients keep counting
// in their sessions through a round-robin balancer. No client is ever
// logged out: every count goes on from the one before.
func TestSealedRollout(t *testing.T) {
	if os.Getenv("SESSIONKIT_ROLLOUT_KEYS") != "" {
		t.Skip("inside a helper process")
	}
	procs := map[string]*exec.Cmd{} // by address
	start := func(keys ...string) string {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestRolloutInstance$", "-test.v=false")
		cmd.Env = append(os.Environ(), "SESSIONKIT_ROLLOUT_KEYS="+strings.Join(keys, ","))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		line, err := bufio.NewReader(out).ReadString('\n')
		addr, ok := strings.CutPrefix(strings.TrimSpace(line), "ADDR ")
		if err != nil || !ok {
			t.Fatalf("instance did not start: %q, %v", line, err)
		}
		procs[addr] = cmd
		return "http://" + addr
	}
	stop := func(url string) {
		cmd := procs[strings.TrimPrefix(url, "http://")]
		cmd.Process.Kill()
		cmd.Wait()
	}

	const k1, k2 = sealKey1, sealKey2
	servers := []string{start(k1), start(k1), start(k1)}
	type client struct {
		http *http.Client
		n    int
	}
	clients := make([]*client, 5)
	for i := range clients {
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		clients[i] = &client{http: &http.Client{Jar: jar, Timeout: testenv.Patience}}
	}
	next := 0
	round := func(stage string) {
		t.Helper()
		for _, c := range clients {
			url := servers[next%len(servers)]
			next++
			resp, err := c.http.Get(url)
			if err != nil {
				t.Fatalf("%s: %v", stage, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var n int
			if _, err := fmt.Sscan(string(body), &n); err != nil || n != c.n+1 {
				t.Fatalf("%s: a client at %d got %q from %s: logged out", stage, c.n, body, url)
			}
			c.n = n
		}
	}
	for range 3 {
		round("before the rollout")
	}
	for _, stage := range []struct {
		name string
		keys []string
	}{
		{"new key as a fallback", []string{k1, k2}},
		{"new key current", []string{k2, k1}},
		{"old key removed", []string{k2}},
	} {
		for i := range servers {
			stop(servers[i])
			servers[i] = start(stage.keys...)
			for range 2 {
				round(fmt.Sprintf("%s, %d of %d restarted", stage.name, i+1, len(servers)))
			}
		}
	}
	for i, c := range clients {
		if c.n < 20 {
			t.Errorf("client %d counted only to %d", i, c.n)
		}
	}
}
