package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reachkit/reachkit/brevo/brevotest"
	"github.com/reachkit/reachkit/openai/openaitest"
)

// planted returns the topic each sample description was built from.
func planted(desc string) int {
	vocab := [][]string{{"marathon", "running", "trail"}, {"coffee", "espresso", "roast"}, {"console", "gaming", "controller"}}
	for topic, words := range vocab {
		for _, w := range words {
			if strings.Contains(strings.ToLower(desc), w) {
				return topic
			}
		}
	}
	return -1
}

func TestRecoversPlantedSegments(t *testing.T) {
	oa := openaitest.NewServer(t)
	bv := brevotest.NewServer(t)
	customers, err := loadCustomers("")
	if err != nil {
		t.Fatal(err)
	}
	if err := seedContacts(context.Background(), bv.Client(), customers); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", oa.URL())
	t.Setenv("BREVO_API_KEY", "")
	t.Setenv("BREVO_BASE_URL", bv.URL())

	svg := filepath.Join(t.TempDir(), "segments.svg")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-svg", svg}, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	t.Log(out.String())

	// The Brevo lists are the segments: compare them with the planted topics.
	segmentOf := map[string]int{}
	segments := 0
	for _, l := range bv.Lists() {
		if !strings.HasPrefix(l.Name, "Segment ") {
			continue
		}
		for _, email := range bv.ListMembers(l.ID) {
			if _, dup := segmentOf[email]; dup {
				t.Fatalf("%s is in two segments", email)
			}
			segmentOf[email] = segments
		}
		segments++
	}
	if segments != 3 {
		t.Errorf("%d segments, want 3", segments)
	}
	var truth, got []int
	for _, c := range customers {
		g, ok := segmentOf[c.Email]
		if !ok {
			t.Fatalf("%s is in no segment list", c.Email)
		}
		truth, got = append(truth, planted(c.Description)), append(got, g)
	}
	ari := adjustedRand(truth, got)
	t.Logf("adjusted Rand index %.3f", ari)
	if ari < 0.9 {
		t.Errorf("adjusted Rand index %.3f, want ≥ 0.9", ari)
	}
	if n := oa.RequestCount("chat/completions"); n != segments {
		t.Errorf("%d naming calls, want one per segment (%d)", n, segments)
	}

	circles, legend := parseSVG(t, svg)
	if circles != len(customers) || legend != segments {
		t.Errorf("SVG has %d points and %d legend entries, want %d and %d", circles, legend, len(customers), segments)
	}
}

// parseSVG checks that path is well-formed SVG and counts its points and
// legend swatches.
func parseSVG(t *testing.T, path string) (circles, swatches int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("invalid SVG: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if depth == 0 && (se.Name.Local != "svg" || se.Name.Space != "http://www.w3.org/2000/svg") {
				t.Fatalf("root element %v, want svg", se.Name)
			}
			depth++
			switch se.Name.Local {
			case "circle":
				circles++
			case "rect":
				for _, a := range se.Attr {
					if a.Name.Local == "width" && a.Value == "12" {
						swatches++
					}
				}
			}
		}
	}
	return circles, swatches
}

// adjustedRand compares two partitions: 1 for identical ones (up to the
// names of the groups), about 0 for chance agreement.
func adjustedRand(a, b []int) float64 {
	pairs := func(n int) float64 { return float64(n) * float64(n-1) / 2 }
	type cell struct{ x, y int }
	table, rows, cols := map[cell]int{}, map[int]int{}, map[int]int{}
	for i := range a {
		table[cell{a[i], b[i]}]++
		rows[a[i]]++
		cols[b[i]]++
	}
	var index, sumRows, sumCols float64
	for _, n := range table {
		index += pairs(n)
	}
	for _, n := range rows {
		sumRows += pairs(n)
	}
	for _, n := range cols {
		sumCols += pairs(n)
	}
	expected := sumRows * sumCols / pairs(len(a))
	maxIndex := (sumRows + sumCols) / 2
	return (index - expected) / (maxIndex - expected)
}

func TestAdjustedRand(t *testing.T) {
	if got := adjustedRand([]int{0, 0, 1, 1, 2, 2}, []int{5, 5, 3, 3, 9, 9}); got != 1 {
		t.Errorf("relabelled partition: %v, want 1", got)
	}
	if got := adjustedRand([]int{0, 0, 0, 1, 1, 1}, []int{0, 1, 2, 0, 1, 2}); got > 0 {
		t.Errorf("unrelated partition: %v, want ≤ 0", got)
	}
}

// blobs returns n points around each of the given centres.
func blobs(centres [][]float64, n int, spread float64) (points [][]float64, truth []int) {
	rng := rand.New(rand.NewPCG(3, 4))
	for g, c := range centres {
		for range n {
			p := make([]float64, len(c))
			for d := range p {
				p[d] = c[d] + rng.NormFloat64()*spread
			}
			points, truth = append(points, p), append(truth, g)
		}
	}
	return points, truth
}

func TestKMeansPicksKBySilhouette(t *testing.T) {
	for k := 2; k <= 5; k++ {
		var centres [][]float64
		for g := range k {
			c := make([]float64, 6)
			c[g] = 10
			centres = append(centres, c)
		}
		points, truth := blobs(centres, 15, 1)
		best, _ := bestClustering(points, 2, 7, 1)
		if best.k != k || adjustedRand(truth, best.assign) != 1 {
			t.Errorf("%d blobs: got k=%d, ARI %.3f", k, best.k, adjustedRand(truth, best.assign))
		}
	}
}

func TestSilhouette(t *testing.T) {
	points := [][]float64{{0}, {1}, {10}, {11}}
	// a = 1 for every point; b = 10.5 for the outer ones, 9.5 for the inner.
	want := (2*(1-1/10.5) + 2*(1-1/9.5)) / 4
	if got := silhouette(points, []int{0, 0, 1, 1}, 2); math.Abs(got-want) > 1e-12 {
		t.Errorf("silhouette = %v, want %v", got, want)
	}
}

func TestProject2DFindsTheWidestAxes(t *testing.T) {
	// Spread 10 along dimension 2, 3 along dimension 0, 0.1 elsewhere.
	rng := rand.New(rand.NewPCG(5, 6))
	var points [][]float64
	for range 200 {
		p := make([]float64, 5)
		for d := range p {
			p[d] = rng.NormFloat64() * 0.1
		}
		p[2] += rng.NormFloat64() * 10
		p[0] += rng.NormFloat64() * 3
		points = append(points, p)
	}
	proj := project2D(points)
	var v0, v1 float64
	for _, p := range proj {
		v0 += p[0] * p[0]
		v1 += p[1] * p[1]
	}
	v0, v1 = v0/200, v1/200
	if v0 < 60 || v1 < 5 || v1 > 15 {
		t.Errorf("variances along the axes: %.1f and %.1f, want about 100 and 9", v0, v1)
	}
}
