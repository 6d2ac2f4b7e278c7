package main

import (
	"math"
	"math/rand/v2"
)

// clustering is one partition of the points into k groups.
type clustering struct {
	k          int
	assign     []int // the group of each point, 0..k-1
	silhouette float64
}

// bestClustering runs k-means for every k in [minK, maxK] and keeps the
// partition with the highest mean silhouette: the one whose points sit
// closest to their own group and farthest from the next. It also returns
// every k's silhouette, to show why that k won.
func bestClustering(points [][]float64, minK, maxK int, seed uint64) (best clustering, scores map[int]float64) {
	rng := rand.New(rand.NewPCG(seed, seed^0x5e9))
	scores = map[int]float64{}
	best.silhouette = math.Inf(-1)
	for k := max(minK, 2); k <= min(maxK, len(points)-1); k++ {
		assign := kmeans(points, k, rng, 10)
		s := silhouette(points, assign, k)
		scores[k] = s
		if s > best.silhouette {
			best = clustering{k: k, assign: assign, silhouette: s}
		}
	}
	return best, scores
}

// kmeans partitions points into k groups: k-means++ seeding, then Lloyd
// iterations until no point moves. It keeps the best of restarts runs (the
// lowest sum of squared distances to the centres).
func kmeans(points [][]float64, k int, rng *rand.Rand, restarts int) []int {
	var best []int
	bestCost := math.Inf(1)
	for range restarts {
		assign, cost := lloyd(points, seedCentres(points, k, rng), rng)
		if cost < bestCost {
			best, bestCost = assign, cost
		}
	}
	return best
}

// seedCentres picks k starting centres, each new one with a probability
// proportional to its squared distance from the nearest centre so far.
func seedCentres(points [][]float64, k int, rng *rand.Rand) [][]float64 {
	centres := [][]float64{clone(points[rng.IntN(len(points))])}
	d2 := make([]float64, len(points))
	for len(centres) < k {
		total := 0.0
		for i, p := range points {
			d2[i] = math.Inf(1)
			for _, c := range centres {
				d2[i] = math.Min(d2[i], sqDist(p, c))
			}
			total += d2[i]
		}
		r := rng.Float64() * total
		next := len(points) - 1
		for i, d := range d2 {
			if r -= d; r <= 0 {
				next = i
				break
			}
		}
		centres = append(centres, clone(points[next]))
	}
	return centres
}

func lloyd(points, centres [][]float64, rng *rand.Rand) (assign []int, cost float64) {
	assign = make([]int, len(points))
	for i := range assign {
		assign[i] = -1
	}
	for iter := 0; iter < 100; iter++ {
		moved := false
		cost = 0
		for i, p := range points {
			nearest, d := 0, math.Inf(1)
			for j, c := range centres {
				if dj := sqDist(p, c); dj < d {
					nearest, d = j, dj
				}
			}
			cost += d
			if assign[i] != nearest {
				assign[i], moved = nearest, true
			}
		}
		if !moved {
			break
		}
		counts := make([]int, len(centres))
		for j := range centres {
			clear(centres[j])
		}
		for i, p := range points {
			counts[assign[i]]++
			for d, x := range p {
				centres[assign[i]][d] += x
			}
		}
		for j, c := range centres {
			if counts[j] == 0 { // an empty group restarts at a random point
				copy(c, points[rng.IntN(len(points))])
				continue
			}
			for d := range c {
				c[d] /= float64(counts[j])
			}
		}
	}
	return assign, cost
}

// silhouette is the mean over points of (b-a)/max(a,b), where a is the
// mean distance to the point's own group and b to the nearest other group.
// It is quadratic in the points: sample them beyond a few thousand.
func silhouette(points [][]float64, assign []int, k int) float64 {
	sizes := make([]int, k)
	for _, g := range assign {
		sizes[g]++
	}
	total := 0.0
	sum := make([]float64, k)
	for i, p := range points {
		clear(sum)
		for j, q := range points {
			if i != j {
				sum[assign[j]] += math.Sqrt(sqDist(p, q))
			}
		}
		own := assign[i]
		if sizes[own] == 1 {
			continue // a point alone in its group scores 0
		}
		a := sum[own] / float64(sizes[own]-1)
		b := math.Inf(1)
		for g := range k {
			if g != own && sizes[g] > 0 {
				b = math.Min(b, sum[g]/float64(sizes[g]))
			}
		}
		total += (b - a) / math.Max(a, b)
	}
	return total / float64(len(points))
}

// project2D returns the points' coordinates on their first two principal
// components (power iteration on the centred data, no covariance matrix).
func project2D(points [][]float64) [][2]float64 {
	dims := len(points[0])
	mean := make([]float64, dims)
	for _, p := range points {
		for d, x := range p {
			mean[d] += x / float64(len(points))
		}
	}
	centred := make([][]float64, len(points))
	for i, p := range points {
		centred[i] = make([]float64, dims)
		for d, x := range p {
			centred[i][d] = x - mean[d]
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var axes [][]float64
	for range 2 {
		v := make([]float64, dims)
		for d := range v {
			v[d] = rng.NormFloat64()
		}
		for range 200 {
			next := make([]float64, dims) // Xᵀ(Xv)
			for _, p := range centred {
				dot := dotProduct(p, v)
				for d, x := range p {
					next[d] += dot * x
				}
			}
			for _, a := range axes { // stay orthogonal to the first axis
				dot := dotProduct(next, a)
				for d := range next {
					next[d] -= dot * a[d]
				}
			}
			norm := math.Sqrt(dotProduct(next, next))
			if norm == 0 {
				break
			}
			for d := range next {
				next[d] /= norm
			}
			v = next
		}
		axes = append(axes, v)
	}
	out := make([][2]float64, len(points))
	for i, p := range centred {
		out[i] = [2]float64{dotProduct(p, axes[0]), dotProduct(p, axes[1])}
	}
	return out
}

func sqDist(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return s
}

func dotProduct(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func clone(v []float64) []float64 { return append([]float64(nil), v...) }
