// Command mint writes testdata/flask_cookies.json: the benchmark workloads
// signed by real Flask through ../shared/flask-oracle/oracle.py at the frozen
// time bench.Frozen. Run it from bench/ when the workloads change:
//
//	go run ./cmd/mint -oracle ../../shared/flask-oracle/oracle.py
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/sessionkit/session/bench"
)

func main() {
	oracle := flag.String("oracle", "/work/shared/flask-oracle/oracle.py", "path of oracle.py")
	python := flag.String("python", "/usr/bin/python3", "interpreter with Flask")
	out := flag.String("out", "testdata/flask_cookies.json", "output file")
	printMedium := flag.Bool("print-medium", false, "print the medium workload's JSON without \"_permanent\" and exit (for load.sh)")
	flag.Parse()
	if *printMedium {
		v := bench.Workloads()[1].Values
		delete(v, "_permanent")
		b, err := json.Marshal(v)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mint:", err)
			os.Exit(1)
		}
		fmt.Println(string(b))
		return
	}
	if err := run(*python, *oracle, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mint:", err)
		os.Exit(1)
	}
}

// Minted is one workload as Flask signed it.
type Minted struct {
	Cookie      string `json:"cookie"`
	PayloadJSON string `json:"payload_json"`
	Compressed  bool   `json:"compressed"`
}

func run(python, oracle, out string) error {
	ver, err := exec.Command(python, "-c", "import flask, importlib.metadata as m; print(m.version('flask'))").Output()
	if err != nil {
		return fmt.Errorf("flask version: %w", err)
	}
	doc := struct {
		Flask   string            `json:"flask"`
		Key     string            `json:"key"`
		Now     int64             `json:"now"`
		Cookies map[string]Minted `json:"cookies"`
	}{strings.TrimSpace(string(ver)), bench.Key, bench.Frozen.Unix(), map[string]Minted{}}
	for _, w := range bench.Workloads() {
		js, err := json.Marshal(w.Values)
		if err != nil {
			return err
		}
		cmd := exec.Command(python, oracle, "sign", "--full", "--key", bench.Key,
			"--now", strconv.FormatInt(bench.Frozen.Unix(), 10), "--json", string(js))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		res, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("oracle sign %s: %w: %s", w.Name, err, stderr.String())
		}
		var m Minted
		if err := json.Unmarshal(res, &m); err != nil {
			return fmt.Errorf("oracle output %s: %w", w.Name, err)
		}
		if m.Cookie == "" {
			return fmt.Errorf("oracle gave no cookie for %s: %s", w.Name, res)
		}
		doc.Cookies[w.Name] = m
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}
