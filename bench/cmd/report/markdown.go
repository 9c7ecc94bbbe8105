package main

import (
	"fmt"
	"math"
	"strings"
)

// Implementations in report order.
var (
	workloads   = []string{"small", "medium", "large"}
	codecImpls  = []string{"sessionkit", "sessionkit-kzlib", "sessionkit-flaskrule", "floor", "floor-flaskrule", "securecookie-json-hmac", "securecookie-json-aes", "securecookie-gob-hmac", "securecookie-gob-aes"}
	codecOps    = []string{"encode", "decode", "decode-repeat", "decode-own"}
	mwOps       = []string{"readonly", "readwrite", "refresh", "chain"}
	mwImpls     = []string{"bare", "sessionkit-cookie", "sessionkit-cookie-kzlib", "sessionkit-memstore", "sessionkit-redis", "sessionkit-postgres", "scs-memstore", "scs-redis", "scs-postgres", "gorilla-cookie"}
	loadTargets = []string{"bare-readonly", "sk-readonly", "bare-counter", "sk-counter", "sk-redis-counter", "sk-redis-shared", "scs-counter", "gorilla-counter",
		"bare-demo-readonly", "demo-readonly", "bare-demo-counter", "demo-counter", "bare-demo-anonymous", "demo-anonymous", "flask-readonly", "flask-refresh"}
	// scsPeer is the scs configuration with the same kind of storage.
	scsPeer = map[string]string{"sessionkit-cookie": "scs-memstore", "sessionkit-cookie-kzlib": "scs-memstore", "sessionkit-memstore": "scs-memstore",
		"sessionkit-redis": "scs-redis", "sessionkit-postgres": "scs-postgres"}
	opTitle = map[string]string{"readonly": "read-only (non-permanent session, no Set-Cookie)",
		"readwrite": "read + write (a counter incremented each request)",
		"refresh":   "refresh (read-only request of a permanent session, re-sent with a new expiry)",
		"chain":     "read + write as a browser makes it (each request brings the cookie the previous response set)"}
	loadTitle = map[string]string{
		"bare-readonly":       "bare net/http, same bytes as sessionkit read-only",
		"sk-readonly":         "sessionkit cookie, read-only",
		"bare-counter":        "bare net/http, same bytes as sessionkit counter (Set-Cookie included)",
		"sk-counter":          "sessionkit cookie, counter (cookie rewritten each request)",
		"sk-redis-counter":    "sessionkit Redis store, counter",
		"sk-redis-shared":     "sessionkit Redis store, counter, all connections on ONE session",
		"scs-counter":         "scs memstore, counter",
		"gorilla-counter":     "gorilla/sessions cookie, counter",
		"bare-demo-readonly":  "bare net/http, same bytes as the demo's GET /perfil (and the demo's server timeouts)",
		"demo-readonly":       "the demo (`sessionkit demo`), GET /perfil, read-only",
		"bare-demo-counter":   "bare net/http, same bytes as the demo's GET /login (Set-Cookie included)",
		"demo-counter":        "the demo, GET /login (session renewed and rewritten each request)",
		"bare-demo-anonymous": "bare net/http, same bytes as the demo's GET /perfil without a session cookie",
		"demo-anonymous":      "the demo, GET /perfil without a session cookie (the demo's own work)",
		"flask-readonly":      "real Flask (gunicorn), GET /perfil, read-only",
		"flask-refresh":       "real Flask (gunicorn), GET /, permanent session re-sent",
	}
)

func (d *data) med(name, unit string) (float64, bool) {
	s, ok := d.bench[name]
	if !ok || len(s[unit]) == 0 {
		return 0, false
	}
	return median(s[unit]), true
}

func fmtTime(ns float64) string {
	switch {
	case ns < 1e3:
		return fmt.Sprintf("%.0f ns", ns)
	case ns < 1e6:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	default:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	}
}

func fmtRatio(r float64) string {
	if r == 0 || math.IsNaN(r) || math.IsInf(r, 0) {
		return "–"
	}
	return fmt.Sprintf("%.2f×", r)
}

// ratio of the ns/op medians of a and b, 0 when either is missing.
// ratio compares the ns/op of benchmarks a and b (see pairedRatio); 0 when
// either is missing.
func (d *data) ratio(a, b string) float64 {
	return pairedRatio(d.bench[a]["ns/op"], d.bench[b]["ns/op"])
}

// pairedRatio is the median over rounds of a[i]/b[i] when a and b hold one
// sample per round (run.sh alternates rounds, so a[i] and b[i] were measured
// moments apart and share that moment's load), else the ratio of medians.
func pairedRatio(a, b []float64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) != len(b) {
		if mb := median(b); mb != 0 {
			return median(a) / mb
		}
		return 0
	}
	var rs []float64
	for i := range a {
		if b[i] != 0 {
			rs = append(rs, a[i]/b[i])
		}
	}
	return median(rs)
}

// loadRatio compares the req/s of two load targets round by round.
func (d *data) loadRatio(a, b string) float64 {
	la, lb := d.load[a], d.load[b]
	if la == nil || lb == nil {
		return 0
	}
	var xs, ys []float64
	for _, r := range la.runs {
		xs = append(xs, r.rps)
	}
	for _, r := range lb.runs {
		ys = append(ys, r.rps)
	}
	return pairedRatio(xs, ys)
}

func (d *data) rps(target string) float64 {
	l := d.load[target]
	if l == nil || len(l.runs) == 0 {
		return 0
	}
	return l.med(func(r wrkRun) float64 { return r.rps })
}

// target is one goal of the benchmark issues.
type target struct {
	what   string
	value  float64 // 0: not measured
	limit  float64
	atMost bool // value must be <= limit (else >=)
	unit   string
	why    string // when not measured
}

func (t target) outcome() string {
	if t.value == 0 && t.why != "" {
		return "not measured: " + t.why
	}
	if t.atMost {
		if t.value <= t.limit {
			return "**met**"
		}
		if t.limit == 0 {
			return fmt.Sprintf("**missed** (%g)", t.value)
		}
		return fmt.Sprintf("**missed** by %.0f%%", (t.value/t.limit-1)*100)
	}
	if t.value >= t.limit {
		return "**met**"
	}
	return fmt.Sprintf("**missed** by %.0f%%", (1-t.value/t.limit)*100)
}

func (t target) show(v float64) string {
	if t.unit == "×" {
		return fmtRatio(v)
	}
	return fmt.Sprintf("%g %s", math.Round(v*100)/100, t.unit)
}

func (d *data) targets() []target {
	var ts []target
	ratioT := func(what, a, b string, limit float64, atMost bool) {
		t := target{what: what, value: d.ratio(a, b), limit: limit, atMost: atMost, unit: "×"}
		if t.value == 0 {
			t.why = "benchmark skipped (see the tables)"
		}
		ts = append(ts, t)
	}
	diffT := func(what, name, base, unit string, limit float64) {
		v, ok := d.med(name, unit)
		b, okb := d.med(base, unit)
		t := target{what: what, value: v - b, limit: limit, atMost: true, unit: unit}
		if !ok || !okb {
			t.why = "benchmark skipped (see the tables)"
		}
		ts = append(ts, t)
	}
	absT := func(what, name, unit string, limit float64) {
		v, ok := d.med(name, unit)
		t := target{what: what, value: v, limit: limit, atMost: true, unit: unit}
		if !ok {
			t.why = "benchmark skipped (see the tables)"
		} else if v == 0 {
			v = 0
		}
		ts = append(ts, t)
	}
	ratioT("codec, medium: repeat request with Flask's cookie (the Manager's middleware, cache hit: signature and age checked, no decoding) vs securecookie JSON Decode", "Codec/medium/sessionkit/decode-repeat", "Codec/medium/securecookie-json-hmac/decode", 0.3, true)
	ratioT("(beside it, against the former goal) codec, medium: first decoding of Flask's cookie (cold: Codec.Decode) vs securecookie JSON Decode", "Codec/medium/sessionkit/decode", "Codec/medium/securecookie-json-hmac/decode", 0.5, true)
	ratioT("(beside it, against the former goal) codec, medium: first decoding with flask/kzlib vs securecookie JSON Decode", "Codec/medium/sessionkit-kzlib/decode", "Codec/medium/securecookie-json-hmac/decode", 0.5, true)
	absT("codec, medium: decode allocations", "Codec/medium/sessionkit/decode", "allocs/op", 40)
	ratioT("(for reference) codec, medium: decode of sessionkit's own, uncompressed cookie vs securecookie JSON Decode", "Codec/medium/sessionkit/decode-own", "Codec/medium/securecookie-json-hmac/decode", 0.5, true)
	ratioT("codec, medium: encode vs stdlib floor (same compression decision)", "Codec/medium/sessionkit/encode", "Codec/medium/floor/encode", 1, true)
	ratioT("middleware, medium, read+write: sessionkit cookie vs scs memstore", "Middleware/medium/readwrite/sessionkit-cookie", "Middleware/medium/readwrite/scs-memstore", 0.4, true)
	absT("middleware, medium, read+write: sessionkit cookie allocations", "Middleware/medium/readwrite/sessionkit-cookie", "allocs/op", 80)
	ratioT("middleware, medium, read-only: sessionkit cookie vs scs memstore", "Middleware/medium/readonly/sessionkit-cookie", "Middleware/medium/readonly/scs-memstore", 0.25, true)
	ratioT("middleware, large, read-only: sessionkit cookie vs scs memstore", "Middleware/large/readonly/sessionkit-cookie", "Middleware/large/readonly/scs-memstore", 0.5, true)
	ratioT("middleware, large, read+write: sessionkit cookie vs scs memstore", "Middleware/large/readwrite/sessionkit-cookie", "Middleware/large/readwrite/scs-memstore", 1, true)
	ratioT("middleware, large, read+write, each request with the cookie the last one set: sessionkit cookie vs scs memstore", "Middleware/large/chain/sessionkit-cookie", "Middleware/large/chain/scs-memstore", 1, true)
	ratioT("(beside it) the same with flask/kzlib", "Middleware/large/chain/sessionkit-cookie-kzlib", "Middleware/large/chain/scs-memstore", 1, true)
	diffT("middleware, medium, read-only: allocations beyond bare's (half of 16, commit b8e0737's)", "Middleware/medium/readonly/sessionkit-cookie", "Middleware/medium/readonly/bare", "allocs/op", 8)
	for _, size := range []string{"300B", "3000B"} {
		ratioT("sealed (encrypted) cookie, "+size+" of session: seal vs securecookie's AES encode", "Sealed/"+size+"/seal/seal", "Sealed/"+size+"/securecookie-aes/encode", 0.5, true)
		ratioT("sealed (encrypted) cookie, "+size+" of session: open vs securecookie's AES decode", "Sealed/"+size+"/seal/open", "Sealed/"+size+"/securecookie-aes/decode", 0.5, true)
	}
	for _, op := range []string{"readonly", "readwrite"} {
		ratioT("middleware, medium, "+op+": sessionkit Redis vs scs redisstore", "Middleware/medium/"+op+"/sessionkit-redis", "Middleware/medium/"+op+"/scs-redis", 0.7, true)
		ratioT("middleware, medium, "+op+": sessionkit PostgreSQL vs scs pgxstore", "Middleware/medium/"+op+"/sessionkit-postgres", "Middleware/medium/"+op+"/scs-postgres", 0.7, true)
	}
	for _, st := range []string{"memstore", "redis", "postgres"} {
		for _, op := range []string{"readonly", "refresh"} {
			name := "Middleware/medium/" + op + "/sessionkit-" + st
			v, ok := d.med(name, "writes/op")
			t := target{what: "store writes per " + op + " request inside the touch interval, " + st, value: v, limit: 0, atMost: true, unit: "writes/op"}
			if !ok {
				t.why = "benchmark skipped (see the tables)"
			}
			ts = append(ts, t)
		}
	}
	loadT := func(what, a, b string, limit float64) {
		t := target{what: what, limit: limit, unit: "×", value: d.loadRatio(a, b)}
		if t.value == 0 {
			t.why = "load target missing (see Load)"
		}
		ts = append(ts, t)
	}
	loadT("wrk: sessionkit read-only vs bare", "sk-readonly", "bare-readonly", 0.85)
	loadT("wrk: sessionkit counter vs bare", "sk-counter", "bare-counter", 0.6)
	loadT("wrk: the demo, read-only (GET /perfil) vs bare", "demo-readonly", "bare-demo-readonly", 0.9)
	loadT("wrk: the demo, counter (GET /login, cookie rewritten) vs bare", "demo-counter", "bare-demo-counter", 0.75)
	loadT("(for reference) wrk: the demo without a session cookie (GET /perfil) vs bare: the demo's own share", "demo-anonymous", "bare-demo-anonymous", 0.9)
	loadT("wrk: sessionkit counter vs scs memstore counter", "sk-counter", "scs-counter", 1.6)
	loadT("wrk: sessionkit counter vs gorilla cookie counter", "sk-counter", "gorilla-counter", 1.6)
	loadT("wrk: sessionkit counter vs real Flask (GET /, session re-sent)", "sk-counter", "flask-refresh", 5)
	loadT("wrk: sessionkit read-only vs real Flask (GET /perfil)", "sk-readonly", "flask-readonly", 5)
	for _, s := range d.soak {
		t := target{what: "soak " + s.name + ": errors in 60 s at 100 connections", value: s.wrk.errors, limit: 0, atMost: true, unit: "errors"}
		if s.wrk.requests == 0 {
			t.why = "no wrk result"
		}
		ts = append(ts, t)
		g := target{what: "soak " + s.name + ": resident memory growth, steady state to end", unit: "%", limit: 10, atMost: true}
		if grow, ok := rssGrowth(s); ok {
			g.value = grow
			if grow <= 0 {
				g.value = 0
			}
		} else {
			g.why = "too few RSS samples"
		}
		ts = append(ts, g)
	}
	return ts
}

// rssGrowth is how much RSS grew, in percent, from the start of the steady
// state to the end: the mean of the last three samples against the mean of
// the first three taken at or after 10 s (before that: warm-up, pools, the
// GC's target). Means, not single samples, because the GC saws RSS up and
// down by a few percent.
func rssGrowth(s soakResult) (float64, bool) {
	var steady []float64
	for _, p := range s.rss {
		if p[0] >= 10 {
			steady = append(steady, p[1])
		}
	}
	if len(steady) < 6 {
		return 0, false
	}
	mean := func(xs []float64) float64 {
		var t float64
		for _, x := range xs {
			t += x
		}
		return t / float64(len(xs))
	}
	first, last := mean(steady[:3]), mean(steady[len(steady)-3:])
	return (last/first - 1) * 100, true
}

func markdown(d *data) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Benchmarks\n\n")
	p("<!-- Generated by bench/run.sh (bench/cmd/report). Do not edit by hand: edit bench/notes.md or the benchmarks, then rerun. -->\n\n")
	p("sessionkit against its peers — gorilla/securecookie, gorilla/sessions, alexedwards/scs — and a plain standard-library implementation of Flask's format (the *floor*), all in one run on one machine. Generated %s from commit `%s`.\n\n", d.metaValue("date"), d.metaValue("commit"))
	p("![Medium workload: codec, middleware, load](benchmarks.svg)\n\n")

	p("## Targets\n\n")
	p("Ratios are medians over the rounds of one run of the per-round ratio (time per operation for `go test -bench`, requests per second for wrk; see Reading the noise). Below 1× means sessionkit takes less time; for wrk, above 1× means it serves more.\n\n")
	p("| target | measured | goal | outcome |\n|---|---|---|---|\n")
	for _, t := range d.targets() {
		goal := "≥ "
		if t.atMost {
			goal = "≤ "
		}
		val := "–"
		if t.value != 0 || t.why == "" {
			val = t.show(t.value)
		}
		p("| %s | %s | %s%s | %s |\n", t.what, val, goal, t.show(t.limit), t.outcome())
	}
	p("\n")

	if d.notes != "" {
		p("## Analysis\n\n%s\n", strings.TrimSpace(d.notes))
		p("\n")
	}

	p("## Machine\n\n")
	for _, k := range []string{"go", "cpu", "cores", "kernel", "memory", "redis", "postgres", "flask", "gunicorn", "wrk", "load on the machine"} {
		if v := d.metaValue(k); v != "" {
			p("- %s: %s\n", k, v)
		}
	}
	p("\n## How to reproduce\n\nFrom a clean clone, with Redis on 127.0.0.1:6379, PostgreSQL on 127.0.0.1:5432 (user postgres, database test), wrk, and optionally Debian's gunicorn and python3-flask:\n\n```sh\n%s\n```\n\n", d.metaValue("reproduce"))
	p("What run.sh ran this time:\n\n```sh\n%s\n```\n\n", d.metaValue("commands"))

	p("## Codec\n\n")
	p("One cookie encoded or decoded. *decode* reads the cookie real Flask minted for the workload (`bench/testdata/flask_cookies.json`, Flask 2.2.2 through `../shared/flask-oracle/oracle.py`; Flask compresses the medium and large ones): the first decoding, what every request would cost without the Manager's cache; *decode-repeat* is a repeat request with that cookie through the Manager's whole middleware (Cookie header, signature and age check, cache hit, the session, the commit; no HTTP recorder); *decode-own* reads the cookie sessionkit writes by default; *sessionkit-kzlib* is sessionkit with flask/kzlib's Compressor (github.com/klauspost/compress); securecookie decodes its own encoding of the same values. *sessionkit* and *floor* encode with sessionkit's default compression decision; *-flaskrule* rows make Flask's (compress whenever it saves 2 bytes). securecookie's *hmac* rows sign only (as Flask does), *aes* rows also encrypt; *json* and *gob* name its serializer. securecookie's length limit (4096) is lifted so that the large workload can be measured at all: uncompressed, that cookie would not fit in a browser, which is why sessionkit compresses payloads from `flask.AutoCompressMin` bytes on. ± is the spread of the runs ((max−min)/median).\n\n")
	for _, w := range workloads {
		p("### %s\n\n", w)
		p("| implementation | op | time/op | ± | B/op | allocs/op | × floor | × securecookie-json-hmac |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
		for _, op := range codecOps {
			for _, impl := range codecImpls {
				name := "Codec/" + w + "/" + impl + "/" + op
				ns, ok := d.med(name, "ns/op")
				if !ok {
					continue
				}
				floor := "Codec/" + w + "/floor/" + op
				if strings.HasSuffix(impl, "-flaskrule") {
					floor = "Codec/" + w + "/floor-flaskrule/" + op
				}
				if op == "decode-own" || op == "decode-repeat" {
					floor = "Codec/" + w + "/floor/decode"
				}
				sc := "Codec/" + w + "/securecookie-json-hmac/" + strings.TrimSuffix(strings.TrimSuffix(op, "-own"), "-repeat")
				bop, _ := d.med(name, "B/op")
				al, _ := d.med(name, "allocs/op")
				p("| %s | %s | %s | %.0f%% | %.0f | %.0f | %s | %s |\n", impl, op, fmtTime(ns), spread(d.bench[name]["ns/op"])*100, bop, al, fmtRatio(d.ratio(name, floor)), fmtRatio(d.ratio(name, sc)))
			}
		}
		p("\n")
	}

	p("### Inflating Flask's compressed payloads\n\n")
	p("The step that makes decoding a Flask-compressed cookie dearer than decoding an uncompressed one, alone: inflating the zlib payload real Flask wrote, with a pooled reader Reset per call, in the standard library and in github.com/klauspost/compress (package flask may take a dependency only for a 2× win on the hot path).\n\n")
	p("| workload | implementation | time/op | ± | allocs/op | × stdlib |\n|---|---|---:|---:|---:|---:|\n")
	for _, w := range workloads {
		for _, impl := range []string{"stdlib", "klauspost"} {
			name := "Inflate/" + w + "/" + impl
			ns, ok := d.med(name, "ns/op")
			if !ok {
				continue
			}
			al, _ := d.med(name, "allocs/op")
			p("| %s | %s | %s | %.0f%% | %.0f | %s |\n", w, impl, fmtTime(ns), spread(d.bench[name]["ns/op"])*100, al, fmtRatio(d.ratio(name, "Inflate/"+w+"/stdlib")))
		}
	}
	p("\n")

	p("## Middleware round trips\n\n")
	p("A full request through each library's middleware and a small handler: `httptest.NewRecorder` and a pre-made request carrying the session cookie (a shallow copy per request, because gorilla/sessions caches the decoded session in the request). The session holds the workload (without `_permanent`) and the handler greets the user; *bare* is the handler alone answering the same body (and a Set-Cookie of the size of Flask's cookie where the others send one). *sessionkit-cookie-kzlib* is sessionkit with flask/kzlib's Compressor. *chain* rows send each request with the cookie the previous response set, as a browser does (the other rows send the seeded cookie every time), so that a cookie session is a new cookie on every request: sessionkit's cache of verified cookies is then filled by the write, not by a read; stores other than scs's memstore (whose token does not change) skip it. *writes/op* counts store writes per request (a wrapper around the store). scs re-sends a session on each request only with an idle timeout, so its *refresh* rows set `IdleTimeout` (and scs then rewrites the store on every request); gorilla's only way to slide the expiry is to Save each request; sessionkit re-signs the cookie (one HMAC, the payload untouched) and, with a store, touches the record at most once per touch interval (default one minute), so its writes/op stay at 0.\n\n")
	for _, w := range workloads {
		for _, op := range mwOps {
			p("### %s, %s\n\n", w, opTitle[op])
			p("| implementation | time/op | ± | B/op | allocs/op | writes/op | × bare | × scs (same storage) | × scs memstore | × gorilla-cookie |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
			for _, impl := range mwImpls {
				name := "Middleware/" + w + "/" + op + "/" + impl
				ns, ok := d.med(name, "ns/op")
				if !ok {
					p("| %s | skipped | | | | | | | | |\n", impl)
					continue
				}
				base := "Middleware/" + w + "/" + op + "/"
				bop, _ := d.med(name, "B/op")
				al, _ := d.med(name, "allocs/op")
				writes := "–"
				if v, ok := d.med(name, "writes/op"); ok {
					writes = fmt.Sprintf("%.2f", v)
				}
				peer := "–"
				if sp, ok := scsPeer[impl]; ok {
					peer = fmtRatio(d.ratio(name, base+sp))
				}
				p("| %s | %s | %.0f%% | %.0f | %.0f | %s | %s | %s | %s | %s |\n", impl, fmtTime(ns), spread(d.bench[name]["ns/op"])*100, bop, al, writes,
					fmtRatio(d.ratio(name, base+"bare")), peer, fmtRatio(d.ratio(name, base+"scs-memstore")), fmtRatio(d.ratio(name, base+"gorilla-cookie")))
			}
			p("\n")
		}
	}

	p("## Load (wrk)\n\n")
	p("Tiny servers on 127.0.0.1 (`bench/cmd/loadserver`, and the lesson's real Flask app `../shared/flask-oracle/app.py` under Debian's gunicorn), each driven by wrk in turn, round after round. Every server serves the medium session (Exemplo 02 after 30 names) and seeds 1000 of them before the test; wrk's script sends each request with the next cookie, each wrk thread cycling through its own share, so that two requests of one session are rarely in flight at once, as with real visitors (Flask's and the cookie servers' sessions live in the cookie, so one cookie would do; they rotate all the same). The bare servers replay, from constants, the exact bytes the sessionkit server answers — headers, Set-Cookie included, and body — so the ratio measures session work only. wrk and the server share the machine's cores. Figures are medians over the rounds.\n\n")
	if lr := d.load["sk-counter"]; lr != nil && lr.command != "" {
		p("Command per target: `%s`\n\n", lr.command)
	}
	p("The demo rows drive `sessionkit demo` itself (its whole handler: routing, security headers, cross-origin protection, the page), reading the medium session's cookies of the sk-readonly server (the same key): GET /perfil only reads the session; GET /login renews it and sets usuario, so every request writes the cookie anew. Their bare twins replay, from constants, the bytes the demo answers to one such request, with the demo's http.Server timeouts.\n\n*× bare* divides by the bare server of the same kind: the read-only one for read-only rows, the counter one (which sends the same Set-Cookie bytes) for the others, the demo's own twins for the demo rows.\n\n")
	p("| server | req/s | p50 | p99 | errors | rounds | × bare |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, t := range loadTargets {
		l := d.load[t]
		if l == nil {
			continue
		}
		if l.skipped != "" {
			p("| %s | %s | | | | | |\n", loadTitle[t], l.skipped)
			continue
		}
		bare := "bare-counter"
		switch {
		case strings.HasPrefix(t, "demo-"), strings.HasPrefix(t, "bare-demo-"):
			bare = "bare-" + strings.TrimPrefix(t, "bare-")
		case strings.HasSuffix(t, "readonly"):
			bare = "bare-readonly"
		}
		var errs float64
		for _, r := range l.runs {
			errs += r.errors
		}
		p("| %s | %.0f | %.2f ms | %.2f ms | %.0f | %d | %s |\n", loadTitle[t], d.rps(t),
			l.med(func(r wrkRun) float64 { return r.p50 }), l.med(func(r wrkRun) float64 { return r.p99 }), errs, len(l.runs),
			fmtRatio(d.loadRatio(t, bare)))
	}
	p("\n")

	p("## Soak\n\n")
	if len(d.soak) == 0 {
		p("Not run.\n\n")
	}
	for _, s := range d.soak {
		p("### %s\n\n", s.name)
		if s.note != "" {
			p("%s\n\n", strings.TrimSpace(s.note))
		}
		if s.command != "" {
			p("`%s`\n\n", s.command)
		}
		p("%.0f requests, %.0f req/s, p99 %.2f ms, **%.0f errors** (socket errors and non-2xx responses).\n\n", s.wrk.requests, s.wrk.rps, s.wrk.p99, s.wrk.errors)
		if len(s.rss) > 0 {
			p("Resident memory (VmRSS) of the server process:\n\n| t (s) |")
			for _, r := range s.rss {
				p(" %.0f |", r[0])
			}
			p("\n|---|")
			for range s.rss {
				p("---:|")
			}
			p("\n| MiB |")
			for _, r := range s.rss {
				p(" %.1f |", r[1]/1024)
			}
			p("\n\n")
			if g, ok := rssGrowth(s); ok {
				p("Growth from the start of the steady state (mean of the first three samples at or after 10 s) to the end (mean of the last three): %.1f%%.\n\n", g)
			}
		}
	}

	p("## Reading the noise\n\n")
	p("- Each figure is the **median** of several runs; the ± column is (max−min)/median over those runs. A ratio whose two sides have a spread larger than the distance of the ratio from its goal is not a result.\n")
	p("- Every ratio is **paired**: for each round, the two figures measured in that round (moments apart, under the same load) are divided, and the median of those per-round ratios is reported. Load on a shared machine comes in bursts of seconds, which hit both sides of a pair alike; the pairing cancels much of it, where a ratio of two medians would not.\n")
	p("- run.sh raises its own scheduling priority (`renice -n -10`) when it may, so that other work on the machine disturbs the measurements less; its children (benchmarks, load servers, gunicorn, wrk) inherit it, while Redis and PostgreSQL, which it does not start, keep theirs.\n")
	p("- The runs **alternate**: run.sh compiles the test binary once and runs the whole suite %s times in a row, rather than `-count=N`, so that a burst of load elsewhere on the machine hits every implementation instead of one. The load test alternates the same way (every server once per round).\n", orDash(d.metaValue("rounds")))
	p("- For confidence intervals and significance, feed the raw output to benchstat: `go run golang.org/x/perf/cmd/benchstat@latest bench/results/bench.txt` (the raw results of this run are committed under `bench/results/`). To compare two commits, run run.sh on each and `benchstat old.txt new.txt`.\n")
	p("- The machine has %s cores shared with the load generator and, during this run, possibly with other work (see Machine). Absolute figures move from run to run by tens of percent; ratios within one run move much less.\n", orDash(d.metaValue("cores")))
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
