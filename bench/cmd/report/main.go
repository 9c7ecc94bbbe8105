// Command report turns the raw results of bench/run.sh (go test -bench
// output, wrk output of load.sh, soak samples) into docs/BENCHMARKS.md and
// docs/benchmarks.svg. Every figure in those files comes from the results
// directory; the prose of the analysis comes from bench/notes.md.
//
//	go run ./cmd/report -results results -md ../docs/BENCHMARKS.md -svg ../docs/benchmarks.svg
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	results := flag.String("results", "results", "directory written by run.sh")
	md := flag.String("md", "../docs/BENCHMARKS.md", "Markdown output")
	svg := flag.String("svg", "../docs/benchmarks.svg", "SVG chart output")
	notes := flag.String("notes", "notes.md", "hand-written analysis included in the report")
	flag.Parse()
	if err := run(*results, *md, *svg, *notes); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// data is everything a report is made of.
type data struct {
	bench map[string]samples
	load  map[string]*loadResult
	soak  []soakResult
	meta  [][2]string // key, value in file order
	notes string
}

func run(results, mdPath, svgPath, notesPath string) error {
	var d data
	var err error
	if d.bench, err = parseBench(filepath.Join(results, "bench.txt")); err != nil {
		return err
	}
	if d.load, err = parseLoad(filepath.Join(results, "load")); err != nil && !os.IsNotExist(err) {
		return err
	}
	if d.soak, err = parseSoak(filepath.Join(results, "soak")); err != nil && !os.IsNotExist(err) {
		return err
	}
	if d.meta, err = parseMeta(filepath.Join(results, "meta.txt")); err != nil {
		return err
	}
	if b, err := os.ReadFile(notesPath); err == nil {
		d.notes = string(b)
	}
	if err := os.WriteFile(mdPath, []byte(markdown(&d)), 0o644); err != nil {
		return err
	}
	return os.WriteFile(svgPath, []byte(chart(&d)), 0o644)
}

// parseMeta reads "key: value" lines; a value may continue on lines that
// start with a space.
func parseMeta(path string) ([][2]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, " ") && len(out) > 0 {
			out[len(out)-1][1] += "\n" + strings.TrimPrefix(line, " ")
			continue
		}
		if k, v, ok := strings.Cut(line, ": "); ok {
			out = append(out, [2]string{k, v})
		}
	}
	return out, sc.Err()
}

func (d *data) metaValue(key string) string {
	for _, kv := range d.meta {
		if kv[0] == key {
			return kv[1]
		}
	}
	return ""
}
