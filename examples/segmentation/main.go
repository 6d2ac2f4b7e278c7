// Command segmentation groups customers by what they are like and gives each
// group a Brevo list.
//
// It embeds the customers' descriptions (text-embedding-3-small, 256
// dimensions), clusters them with k-means++ choosing k by silhouette, names
// each cluster with one chat call over its members, creates a Brevo list per
// segment with its contacts, and draws the segments as an SVG scatter plot.
//
//	go run ./segmentation                       # the bundled sample
//	go run ./segmentation -in customers.json -svg segments.svg
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/examples/internal/env"
	"github.com/reachkit/reachkit/openai"
)

//go:embed customers.json
var sampleCustomers []byte

// Customer is one row of the input.
type Customer struct {
	Email       string `json:"email"`
	Description string `json:"description"`
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "segmentation:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("segmentation", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "customers as a JSON array of {email, description}; default: the bundled sample")
	svgPath := fs.String("svg", filepath.Join(os.TempDir(), "reachkit-segments.svg"), "where to write the scatter plot")
	minK := fs.Int("kmin", 2, "fewest segments to try")
	maxK := fs.Int("kmax", 8, "most segments to try")
	model := fs.String("model", "gpt-4o-mini", "chat model that names the segments")
	if err := fs.Parse(args); err != nil {
		return err
	}
	customers, err := loadCustomers(*in)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()

	oa, _, closeOA, err := env.OpenAI(stderr, nil)
	if err != nil {
		return err
	}
	defer closeOA()
	bv, bfake, closeBV, err := env.Brevo(stderr, nil, brevo.WithMiddleware(brevo.Throttle()))
	if err != nil {
		return err
	}
	defer closeBV()
	if bfake != nil { // a real account already holds its customers
		if err := seedContacts(ctx, bfake.Client(), customers); err != nil {
			return err
		}
	}

	texts := make([]string, len(customers))
	for i, c := range customers {
		texts[i] = c.Description
	}
	emb, err := oa.Embeddings.NewBatched(ctx, openai.EmbeddingRequest{
		Model: "text-embedding-3-small", Input: texts, Dimensions: 256,
	}, openai.BatchOptions{})
	if err != nil {
		return err
	}
	points := make([][]float64, len(customers))
	for i, v := range emb.Vectors() {
		points[i] = make([]float64, len(v))
		for d, x := range v {
			points[i][d] = float64(x)
		}
	}

	best, scores := bestClustering(points, *minK, *maxK, 1)
	fmt.Fprintf(stdout, "%d customers, %d embedding tokens; k=%d by silhouette (", len(customers), emb.Usage.PromptTokens, best.k)
	for k := *minK; k <= *maxK; k++ {
		if s, ok := scores[k]; ok {
			fmt.Fprintf(stdout, " k=%d: %.3f", k, s)
		}
	}
	fmt.Fprintln(stdout, " )")

	members := make([][]Customer, best.k)
	for i, g := range best.assign {
		members[g] = append(members[g], customers[i])
	}
	names := make([]string, best.k)
	for g := range members {
		seg, err := nameSegment(ctx, oa, *model, members[g])
		if err != nil {
			return fmt.Errorf("naming segment %d: %w", g+1, err)
		}
		names[g] = seg.Name
		fmt.Fprintf(stdout, "segment %d: %s (%d customers) — %s\n", g+1, seg.Name, len(members[g]), seg.Description)
	}
	if err := createLists(ctx, bv, names, members, stdout); err != nil {
		return err
	}

	emails := make([]string, len(customers))
	for i, c := range customers {
		emails[i] = c.Email
	}
	f, err := os.Create(*svgPath)
	if err != nil {
		return err
	}
	if err := writeSVG(f, project2D(points), best.assign, emails, names); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "scatter plot:", *svgPath)
	return nil
}

func loadCustomers(path string) ([]Customer, error) {
	data := sampleCustomers
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return nil, err
		}
	}
	var cs []Customer
	if err := json.Unmarshal(data, &cs); err != nil {
		return nil, fmt.Errorf("reading customers: %w", err)
	}
	if len(cs) < 3 {
		return nil, fmt.Errorf("need at least 3 customers to segment, got %d", len(cs))
	}
	return cs, nil
}
