package demo

import (
	"html"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCommand runs the demo the way the README says, `sessionkit demo`,
// as a built binary: it waits for the URL line, gets the home page, then
// sends SIGINT and expects a clean exit.
func TestCommand(t *testing.T) {
	bin := buildSessionkit(t)
	p := startDemo(t, bin, []string{"SECRET_KEY="}, "demo", "-addr", "127.0.0.1:0", "-lifetime", "3s")
	if !strings.Contains(strings.Join(p.printed, "\n"), "sessions end when this process stops") {
		t.Errorf("without a key the demo does not say that sessions are ephemeral:\n%s", strings.Join(p.printed, "\n"))
	}
	resp, err := http.Get(p.url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Sessões: o servidor lembra de você") {
		t.Errorf("GET %s = %d, home page not served", p.url, resp.StatusCode)
	}
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	exited, err := p.wait(10 * time.Second)
	if !exited {
		t.Fatal("sessionkit demo did not exit within 10s of SIGINT")
	}
	if err != nil {
		t.Errorf("after SIGINT: %v\nstderr: %s", err, p.stderr.String())
	}
}

// The commands /chave shows, run as shown from a clone (with the built
// binary in place of `go run ./cmd/sessionkit`): both key generators print
// a strong key, and the key-file command keeps a session across a restart.
func TestCommandKeyInstructions(t *testing.T) {
	bin := buildSessionkit(t)
	h := newHarness(t, nil)
	page := h.get("/chave").body
	var cmds []string
	for _, m := range regexp.MustCompile(`(?s)<pre class="copy cmd"[^>]*><code>(.*?)</code></pre>`).FindAllStringSubmatch(page, -1) {
		cmds = append(cmds, strings.Split(html.UnescapeString(m[1]), "\n")...)
	}
	dir := t.TempDir()
	shell := func(cmd string) string {
		t.Helper()
		c := exec.Command("bash", "-c", strings.ReplaceAll(cmd, "go run ./cmd/sessionkit", bin))
		c.Dir = dir
		out, err := c.Output()
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		return strings.TrimSpace(string(out))
	}
	hexKey := regexp.MustCompile(`^[0-9a-f]{64}$`)
	var keyFile string
	for _, cmd := range cmds {
		switch {
		case cmd == "go run ./cmd/sessionkit secret":
			if out := shell(cmd); !hexKey.MatchString(out) {
				t.Errorf("%s printed %q", cmd, out)
			}
		case strings.HasPrefix(cmd, "python3 "):
			if _, err := exec.LookPath("python3"); err != nil {
				t.Log("python3 not found: its command not run")
				continue
			}
			if out := shell(cmd); !hexKey.MatchString(out) {
				t.Errorf("%s printed %q", cmd, out)
			}
		case strings.HasPrefix(cmd, "go run ./cmd/sessionkit demo -secret-key-file "):
			keyFile = strings.TrimPrefix(cmd, "go run ./cmd/sessionkit demo -secret-key-file ")
		}
	}
	if keyFile == "" {
		t.Fatalf("/chave shows no key-file command among %q", cmds)
	}
	run := func() *demoProcess {
		p := startDemoIn(t, dir, bin, []string{"SECRET_KEY="}, "demo", "-secret-key-file", keyFile, "-addr", "127.0.0.1:0")
		return p
	}
	stop := func(p *demoProcess) {
		p.cmd.Process.Signal(syscall.SIGINT)
		if exited, _ := p.wait(10 * time.Second); !exited {
			t.Fatal("sessionkit demo did not stop on SIGINT")
		}
	}
	p := run()
	resp, err := http.Get(p.url + "login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie string
	for _, c := range resp.Cookies() {
		if c.Name == "session" {
			cookie = c.Value
		}
	}
	stop(p)
	if fi, err := os.Stat(filepath.Join(dir, keyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s after the first run: %v %v", keyFile, err, fi)
	}
	p = run()
	req, _ := http.NewRequest("GET", p.url+"perfil", nil)
	req.Header.Set("Cookie", "session="+cookie)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "Bem-vindo, Maria!" {
		t.Errorf("after a restart with %s, /perfil = %q", keyFile, body)
	}
	stop(p)
}
