package demo

import (
	"io"
	"net/http"
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
