package main

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
)

// palette holds colours that stay apart for the colour-blind (Okabe–Ito).
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}

// writeSVG draws the customers at their 2-D coordinates, one colour per
// segment, with a legend naming the segments and a tooltip per point.
func writeSVG(w io.Writer, pts [][2]float64, assign []int, labels, names []string) error {
	const width, height, margin, legendW = 720.0, 480.0, 30.0, 220.0
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
		minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
	}
	scale := func(v, lo, hi, size float64) float64 {
		if hi == lo {
			return size / 2
		}
		return (v - lo) / (hi - lo) * size
	}
	plotW, plotH := width-legendW-2*margin, height-2*margin

	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" font-family="sans-serif" font-size="13">`+"\n", width, height, width, height)
	fmt.Fprintf(bw, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(bw, `<text x="%g" y="20" font-size="15">Customer segments (first two principal components of the embeddings)</text>`+"\n", margin)
	fmt.Fprintf(bw, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="#ccc"/>`+"\n", margin, margin, plotW, plotH)
	for i, p := range pts {
		x := margin + scale(p[0], minX, maxX, plotW-20) + 10
		y := margin + plotH - scale(p[1], minY, maxY, plotH-20) - 10
		fmt.Fprintf(bw, `<circle cx="%.1f" cy="%.1f" r="5" fill="%s" fill-opacity="0.8"><title>%s</title></circle>`+"\n",
			x, y, palette[assign[i]%len(palette)], escape(labels[i]))
	}
	for g, name := range names {
		y := margin + 10 + float64(g)*22
		fmt.Fprintf(bw, `<rect x="%g" y="%g" width="12" height="12" fill="%s"/>`, width-legendW+5, y, palette[g%len(palette)])
		fmt.Fprintf(bw, `<text x="%g" y="%g">%s</text>`+"\n", width-legendW+24, y+11, escape(name))
	}
	fmt.Fprintln(bw, "</svg>")
	return bw.Flush()
}

// escape makes text safe inside an element: segment names come from a model.
func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
