package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// bar is one labelled value of a panel.
type bar struct {
	label string
	value float64
	ours  bool
}

// panel is one horizontal bar chart.
type panel struct {
	title string
	fmt   func(float64) string
	bars  []bar
}

// chart draws the medium workload's headline figures as an SVG made of
// rectangles and text: codec, middleware in memory, store round trips and
// load.
func chart(d *data) string {
	us := func(v float64) string { return fmtTime(v) }
	var panels []panel
	codec := panel{title: "Codec, medium: decode one cookie (time, shorter is better)", fmt: us}
	if v, ok := d.med("Codec/medium/sessionkit/decode-repeat", "ns/op"); ok {
		codec.bars = append(codec.bars, bar{"sessionkit, repeat request", v, true})
	}
	for _, impl := range []string{"sessionkit", "floor", "securecookie-json-hmac", "securecookie-json-aes", "securecookie-gob-hmac", "securecookie-gob-aes"} {
		if v, ok := d.med("Codec/medium/"+impl+"/decode", "ns/op"); ok {
			codec.bars = append(codec.bars, bar{impl, v, impl == "sessionkit"})
		}
	}
	enc := panel{title: "Codec, medium: encode one cookie (time, shorter is better)", fmt: us}
	for _, impl := range []string{"sessionkit", "floor", "securecookie-json-hmac", "securecookie-json-aes", "securecookie-gob-hmac", "securecookie-gob-aes"} {
		if v, ok := d.med("Codec/medium/"+impl+"/encode", "ns/op"); ok {
			enc.bars = append(enc.bars, bar{impl, v, impl == "sessionkit"})
		}
	}
	mw := panel{title: "Middleware, medium, read + write, in process (time, shorter is better)", fmt: us}
	for _, impl := range []string{"bare", "sessionkit-cookie", "sessionkit-memstore", "scs-memstore", "gorilla-cookie"} {
		if v, ok := d.med("Middleware/medium/readwrite/"+impl, "ns/op"); ok {
			mw.bars = append(mw.bars, bar{impl, v, strings.HasPrefix(impl, "sessionkit")})
		}
	}
	rd := panel{title: "Middleware, medium, read + write, Redis (time, shorter is better)", fmt: us}
	pg := panel{title: "Middleware, medium, read + write, PostgreSQL (time, shorter is better)", fmt: us}
	for _, impl := range []string{"sessionkit-redis", "scs-redis", "sessionkit-postgres", "scs-postgres"} {
		p := &rd
		if strings.HasSuffix(impl, "postgres") {
			p = &pg
		}
		if v, ok := d.med("Middleware/medium/readwrite/"+impl, "ns/op"); ok {
			p.bars = append(p.bars, bar{impl, v, strings.HasPrefix(impl, "sessionkit")})
		}
	}
	load := panel{title: "wrk, medium session (requests per second, longer is better)", fmt: func(v float64) string { return fmt.Sprintf("%.0f req/s", v) }}
	for _, t := range loadTargets {
		if v := d.rps(t); v > 0 {
			load.bars = append(load.bars, bar{t, v, strings.HasPrefix(t, "sk-") || strings.HasPrefix(t, "demo-")})
		}
	}
	for _, p := range []panel{codec, enc, mw, rd, pg, load} {
		if len(p.bars) > 0 {
			panels = append(panels, p)
		}
	}

	const (
		width  = 860
		labelW = 190
		valueW = 110
		barH   = 18
		gap    = 6
		titleH = 30
		pad    = 16
	)
	height := pad + 24
	for _, p := range panels {
		height += titleH + len(p.bars)*(barH+gap) + pad
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#444">Medians of one run (docs/BENCHMARKS.md). Blue: sessionkit; grey: peers, the stdlib floor and bare handlers.</text>`+"\n", pad, pad+12)
	y := pad + 24
	for _, p := range panels {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="14" font-weight="bold" fill="#222">%s</text>`+"\n", pad, y+18, html.EscapeString(p.title))
		y += titleH
		maxV := 0.0
		for _, br := range p.bars {
			maxV = math.Max(maxV, br.value)
		}
		for _, br := range p.bars {
			w := float64(width-labelW-valueW-2*pad) * br.value / maxV
			color := "#9aa5b1"
			if br.ours {
				color = "#2b6cb0"
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="#222">%s</text>`+"\n", pad+labelW-8, y+13, html.EscapeString(br.label))
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", pad+labelW, y, math.Max(w, 1), barH, color)
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#222">%s</text>`+"\n", float64(pad+labelW)+math.Max(w, 1)+6, y+13, html.EscapeString(p.fmt(br.value)))
			y += barH + gap
		}
		y += pad
	}
	b.WriteString("</svg>\n")
	return b.String()
}
