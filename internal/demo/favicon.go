package demo

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"net/http"
)

// faviconICO is the site's icon, a cookie, drawn once at start: an ICO file
// holding one 32×32 PNG, which every current browser reads.
var faviconICO = drawFavicon()

func favicon(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/x-icon")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(faviconICO)
}

func drawFavicon() []byte {
	const n = 32
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	dough := color.NRGBA{0xc8, 0x89, 0x3a, 0xff}
	edge := color.NRGBA{0x8a, 0x55, 0x1c, 0xff}
	chip := color.NRGBA{0x3b, 0x22, 0x10, 0xff}
	chips := [][2]int{{10, 11}, {19, 9}, {21, 18}, {12, 20}, {16, 15}}
	for y := range n {
		for x := range n {
			dx, dy := x*2-n+1, y*2-n+1 // doubled, centred
			d := dx*dx + dy*dy
			switch {
			case d > 30*30:
				continue
			case d > 26*26:
				img.SetNRGBA(x, y, edge)
			default:
				img.SetNRGBA(x, y, dough)
			}
			for _, c := range chips {
				if cx, cy := x-c[0], y-c[1]; cx*cx+cy*cy <= 3 {
					img.SetNRGBA(x, y, chip)
				}
			}
		}
	}
	var pic bytes.Buffer
	if err := png.Encode(&pic, img); err != nil {
		panic(err) // cannot happen: an in-memory image and buffer
	}
	var ico bytes.Buffer
	// ICONDIR: reserved, type 1 (icon), one image.
	binary.Write(&ico, binary.LittleEndian, [3]uint16{0, 1, 1})
	// ICONDIRENTRY: 32×32, no palette, reserved, 1 plane, 32 bits per
	// pixel, the PNG's size, and its offset after these 6+16 bytes.
	ico.Write([]byte{n, n, 0, 0})
	binary.Write(&ico, binary.LittleEndian, [2]uint16{1, 32})
	binary.Write(&ico, binary.LittleEndian, [2]uint32{uint32(pic.Len()), 22})
	ico.Write(pic.Bytes())
	return ico.Bytes()
}
