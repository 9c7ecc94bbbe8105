package main

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// samples holds every measurement of one benchmark, by unit ("ns/op", ...).
type samples map[string][]float64

var procSuffix = regexp.MustCompile(`-\d+$`)

// parseBench reads `go test -bench` output (several runs appended).
func parseBench(path string) (map[string]samples, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]samples{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(fields[0], "Benchmark"), "")
		if out[name] == nil {
			out[name] = samples{}
		}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				break
			}
			out[name][fields[i+1]] = append(out[name][fields[i+1]], v)
		}
	}
	return out, sc.Err()
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// spread is (max-min)/median: how much the runs disagree.
func spread(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	m := median(xs)
	if m == 0 {
		return 0
	}
	return (slices.Max(xs) - slices.Min(xs)) / m
}

// wrkRun is one wrk run.
type wrkRun struct {
	rps, p50, p99 float64 // req/s, milliseconds
	requests      float64
	errors        float64 // socket errors plus non-2xx/3xx responses
}

var (
	reRPS    = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	reP      = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$`)
	reReqs   = regexp.MustCompile(`(\d+) requests in`)
	reSock   = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	reNon2xx = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
)

func parseWrk(text string) (wrkRun, bool) {
	var r wrkRun
	m := reRPS.FindStringSubmatch(text)
	if m == nil {
		return r, false
	}
	r.rps, _ = strconv.ParseFloat(m[1], 64)
	for _, p := range reP.FindAllStringSubmatch(text, -1) {
		v, _ := strconv.ParseFloat(p[2], 64)
		switch p[3] {
		case "us":
			v /= 1000
		case "s":
			v *= 1000
		}
		if p[1] == "50" {
			r.p50 = v
		} else {
			r.p99 = v
		}
	}
	if m := reReqs.FindStringSubmatch(text); m != nil {
		r.requests, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := reSock.FindStringSubmatch(text); m != nil {
		for _, s := range m[1:] {
			v, _ := strconv.ParseFloat(s, 64)
			r.errors += v
		}
	}
	if m := reNon2xx.FindStringSubmatch(text); m != nil {
		v, _ := strconv.ParseFloat(m[1], 64)
		r.errors += v
	}
	return r, true
}

// loadResult is every round of one load target.
type loadResult struct {
	runs    []wrkRun
	command string
	skipped string
}

var reRound = regexp.MustCompile(`^(.*)-r(\d+)\.txt$`)

func parseLoad(dir string) (map[string]*loadResult, error) {
	out := map[string]*loadResult{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return out, err
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		if name, ok := strings.CutSuffix(e.Name(), ".skipped"); ok {
			out[name] = &loadResult{skipped: strings.TrimSpace(string(b))}
			continue
		}
		m := reRound.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		r := out[m[1]]
		if r == nil {
			r = &loadResult{}
			out[m[1]] = r
		}
		text := string(b)
		r.command, _, _ = strings.Cut(text, "\n")
		if run, ok := parseWrk(text); ok {
			r.runs = append(r.runs, run)
		}
	}
	return out, nil
}

func (l *loadResult) med(f func(wrkRun) float64) float64 {
	var xs []float64
	for _, r := range l.runs {
		xs = append(xs, f(r))
	}
	return median(xs)
}

// soakResult is one soak run: wrk's output and RSS samples.
type soakResult struct {
	name    string
	wrk     wrkRun
	rss     [][2]float64 // seconds since start, KiB
	note    string
	command string
}

var reRSS = regexp.MustCompile(`(?m)^rss (\d+) (\d+)$`)

func parseSoak(dir string) ([]soakResult, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []soakResult
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".txt")
		if !ok {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		text := string(b)
		s := soakResult{name: name}
		s.wrk, _ = parseWrk(text)
		for _, m := range reRSS.FindAllStringSubmatch(text, -1) {
			t, _ := strconv.ParseFloat(m[1], 64)
			kb, _ := strconv.ParseFloat(m[2], 64)
			s.rss = append(s.rss, [2]float64{t, kb})
		}
		for _, line := range strings.Split(text, "\n") {
			if v, ok := strings.CutPrefix(line, "note "); ok {
				s.note += v + " "
			}
			if v, ok := strings.CutPrefix(line, "command "); ok {
				s.command = v
			}
		}
		out = append(out, s)
	}
	return out, nil
}
