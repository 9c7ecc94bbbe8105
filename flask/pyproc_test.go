package flask

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"testing"
)

// pyProc is a long-lived Python process answering one JSON line per JSON
// request line: fuzz targets compare each input with real Python without
// paying for an interpreter per input.
type pyProc struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

// startPy runs script (a file under testdata) with python and stops it
// when the test ends.
func startPy(tb testing.TB, python, script string) *pyProc {
	tb.Helper()
	cmd := exec.Command(python, "-u", script)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("%s %s: %v", python, script, err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(nil, 64<<20)
	p := &pyProc{cmd: cmd, in: in, out: sc}
	tb.Cleanup(func() {
		in.Close()
		cmd.Wait()
	})
	return p
}

// ask sends req and decodes the answer into ans.
func (p *pyProc) ask(tb testing.TB, req, ans any) {
	tb.Helper()
	line, err := json.Marshal(req)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := p.in.Write(append(line, '\n')); err != nil {
		tb.Fatalf("python: %v", err)
	}
	if !p.out.Scan() {
		tb.Fatalf("python stopped answering: %v", p.out.Err())
	}
	if err := json.Unmarshal(p.out.Bytes(), ans); err != nil {
		tb.Fatalf("python answer %q: %v", p.out.Text(), err)
	}
}

// havePython returns the first interpreter that runs, or skips tb (fails
// it when SESSIONKIT_REQUIRE_ALL=1).
func havePython(tb testing.TB, what string) string {
	tb.Helper()
	for _, py := range interpreters {
		if exec.Command(py, "-c", "import zlib").Run() == nil {
			return py
		}
	}
	msg := "no python3 found; install Python 3 to run " + what
	if requireAll() {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}
