// Command benchratio reads `go test -bench` output and prints, as Markdown,
// the median of every metric per SDK, reachkit's ratio to the best peer,
// and whether each target of the benchmark issue is met.
//
//	go run ./cmd/benchratio results.txt
//
// Benchmarks are grouped by name with their sdk=<name> element removed;
// the best peer of a metric is the peer with the lowest median (the
// highest for utilization).
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

const self = "reachkit"

var peers = []string{"openai-go", "go-openai"}

// samples[group][sdk][unit] are the values of every run.
type samples map[string]map[string]map[string][]float64

var procSuffix = regexp.MustCompile(`-\d+$`)

func parse(r io.Reader, s samples, order *[]string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		name := procSuffix.ReplaceAllString(f[0], "")
		var group, sdk string
		var parts []string
		for _, p := range strings.Split(name, "/") {
			if v, ok := strings.CutPrefix(p, "sdk="); ok {
				sdk = v
				continue
			}
			parts = append(parts, p)
		}
		if sdk == "" {
			continue
		}
		group = strings.Join(parts, "/")
		if s[group] == nil {
			s[group] = map[string]map[string][]float64{}
			*order = append(*order, group)
		}
		if s[group][sdk] == nil {
			s[group][sdk] = map[string][]float64{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			s[group][sdk][f[i+1]] = append(s[group][sdk][f[i+1]], v)
		}
	}
	return sc.Err()
}

func median(v []float64) (float64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	c := append([]float64(nil), v...)
	sort.Float64s(c)
	n := len(c)
	if n%2 == 1 {
		return c[n/2], true
	}
	return (c[n/2-1] + c[n/2]) / 2, true
}

// higherIsBetter lists the units where a larger value wins.
var higherIsBetter = map[string]bool{"utilization": true, "MB/s": true}

// unitOrder puts the usual units first.
var unitOrder = []string{"ns/op", "ns/chunk", "allocs/op", "allocs/chunk", "B/op", "wire-B/op", "resp-B/op",
	"utilization", "429/attempt%", "429s", "attempts", "sim-s"}

func units(bySDK map[string]map[string][]float64) []string {
	seen := map[string]bool{}
	for _, m := range bySDK {
		for u := range m {
			seen[u] = true
		}
	}
	var out []string
	for _, u := range unitOrder {
		if seen[u] {
			out = append(out, u)
			delete(seen, u)
		}
	}
	var rest []string
	for u := range seen {
		rest = append(rest, u)
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func format(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

// best returns the best peer's median for unit u and that peer's name.
func best(bySDK map[string]map[string][]float64, u string) (float64, string, bool) {
	var bv float64
	var bn string
	found := false
	for _, p := range peers {
		v, ok := median(bySDK[p][u])
		if !ok {
			continue
		}
		better := v < bv
		if higherIsBetter[u] {
			better = v > bv
		}
		if !found || better {
			bv, bn, found = v, p, true
		}
	}
	return bv, bn, found
}

func table(w io.Writer, s samples, order []string) {
	fmt.Fprintf(w, "| benchmark | metric | %s | %s | %s | reachkit ÷ best peer |\n", self, peers[0], peers[1])
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|")
	for _, g := range order {
		for _, u := range units(s[g]) {
			row := []string{strings.TrimPrefix(g, "Benchmark"), u}
			for _, sdk := range append([]string{self}, peers...) {
				if v, ok := median(s[g][sdk][u]); ok {
					row = append(row, format(v))
				} else {
					row = append(row, "–")
				}
			}
			ratio := "–"
			if mine, ok := median(s[g][self][u]); ok {
				if bv, bn, ok := best(s[g], u); ok && bv != 0 {
					ratio = fmt.Sprintf("%.2f× (%s)", mine/bv, bn)
				}
			}
			row = append(row, ratio)
			fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
		}
	}
}

// target is one goal of the issue, evaluated on the medians.
type target struct {
	name  string
	check func(s samples) (string, bool, bool) // text, met, evaluated
}

func get(s samples, group, sdk, unit string) (float64, bool) {
	return median(s[group][sdk][unit])
}

func ratioTarget(name, group, unit string, limit float64) target {
	return target{name, func(s samples) (string, bool, bool) {
		mine, ok := get(s, group, self, unit)
		if !ok {
			return "", false, false
		}
		bv, bn, ok := best(s[group], unit)
		if !ok || bv == 0 {
			return "", false, false
		}
		r := mine / bv
		return fmt.Sprintf("%.2f× %s (%s %s vs %s %s)", r, unit, format(mine), self, format(bv), bn), r <= limit, true
	}}
}

func absTarget(name, group, sdk, unit string, limit float64, atMost bool) target {
	return target{name, func(s samples) (string, bool, bool) {
		v, ok := get(s, group, sdk, unit)
		if !ok {
			return "", false, false
		}
		met := v <= limit
		if !atMost {
			met = v >= limit
		}
		return fmt.Sprintf("%s %s = %s", sdk, unit, format(v)), met, true
	}}
}

func crossTarget(name, mineGroup, peerGroup, unit string, limit float64) target {
	return target{name, func(s samples) (string, bool, bool) {
		mine, ok := get(s, mineGroup, self, unit)
		if !ok {
			return "", false, false
		}
		bv, bn, ok := best(s[peerGroup], unit)
		if !ok || bv == 0 {
			return "", false, false
		}
		r := mine / bv
		return fmt.Sprintf("%.3f× (%s %s base64 vs %s %s float)", r, format(mine), self, format(bv), bn), r <= limit, true
	}}
}

func wireTarget(name, floatGroup, b64Group string, limit float64) target {
	return target{name, func(s samples) (string, bool, bool) {
		f, ok1 := get(s, floatGroup, self, "resp-B/op")
		b, ok2 := get(s, b64Group, self, "resp-B/op")
		if !ok1 || !ok2 || b == 0 {
			return "", false, false
		}
		r := f / b
		return fmt.Sprintf("%.2f× fewer bytes (%s float vs %s base64)", r, format(f), format(b)), r >= limit, true
	}}
}

func targets() []target {
	var ts []target
	for _, n := range []string{"mem", "loopback"} {
		ts = append(ts,
			ratioTarget("ChatNew ns/op ≤ 0.8× best peer (net="+n+")", "BenchmarkChatNew/net="+n, "ns/op", 0.8),
			ratioTarget("ChatNew allocs/op ≤ 0.6× best peer (net="+n+")", "BenchmarkChatNew/net="+n, "allocs/op", 0.6),
			ratioTarget("ChatStream ns/chunk ≤ 0.5× best peer (net="+n+")", "BenchmarkChatStream/net="+n, "ns/chunk", 0.5),
			absTarget("ChatStream ≤ 3 allocs/chunk (net="+n+")", "BenchmarkChatStream/net="+n, self, "allocs/chunk", 3, true),
			crossTarget("Embeddings base64 ns/op ≤ 0.25× best peer's float (net="+n+")",
				"BenchmarkEmbeddings/format=base64/net="+n, "BenchmarkEmbeddings/format=float/net="+n, "ns/op", 0.25),
		)
	}
	ts = append(ts,
		wireTarget("Embeddings base64 ≥ 3× fewer bytes on the wire than float JSON",
			"BenchmarkEmbeddings/format=float/net=loopback", "BenchmarkEmbeddings/format=base64/net=loopback", 3),
		absTarget("ThrottledThroughput utilization ≥ 0.95", "BenchmarkThrottledThroughput", self, "utilization", 0.95, false),
		absTarget("ThrottledThroughput 429s ≤ 0.5 % of attempts", "BenchmarkThrottledThroughput", self, "429/attempt%", 0.5, true),
	)
	return ts
}

func main() {
	s := samples{}
	var order []string
	if len(os.Args) < 2 {
		if err := parse(os.Stdin, s, &order); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	for _, name := range os.Args[1:] {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		err = parse(f, s, &order)
		f.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprintln(w, "### Medians and ratio to the best peer")
	fmt.Fprintln(w)
	table(w, s, order)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "### Targets")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | measured | met |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, t := range targets() {
		text, met, ok := t.check(s)
		switch {
		case !ok:
			fmt.Fprintf(w, "| %s | not measured | – |\n", t.name)
		case met:
			fmt.Fprintf(w, "| %s | %s | yes |\n", t.name, text)
		default:
			fmt.Fprintf(w, "| %s | %s | **no** |\n", t.name, text)
		}
	}
}
