package brevo_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/brevo/brevotest"
)

// TestThrottledBulkUpdate writes 10,000 contact attributes through
// UpdateMany, from four workers sharing one client, against a fake that
// enforces the contacts group's budget. The throttle must keep every server
// window within the budget (no 429 at all), and every update must land.
func TestThrottledBulkUpdate(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about five seconds")
	}
	const (
		contacts = 10_000
		workers  = 4
		limit    = 25 // requests per window for the contacts group
		window   = time.Second
	)
	srv := brevotest.NewServer(t, brevotest.WithRateLimit(brevo.GroupContacts, limit, window))
	c := srv.Client(brevo.WithMiddleware(brevo.Throttle()))
	ctx := context.Background()

	_, err := c.Attributes.Ensure(ctx, []brevo.AttributeSpec{{Name: "SENTIMENT_SCORE", Type: brevo.AttributeFloat}})
	require.NoError(t, err)
	folder, err := c.Folders.Create(ctx, "Bulk")
	require.NoError(t, err)
	list, err := c.Lists.Create(ctx, brevo.CreateListRequest{Name: "Bulk", FolderID: folder.ID})
	require.NoError(t, err)
	rows := make([]brevo.ImportContact, contacts)
	updates := make([]brevo.BatchContact, contacts)
	for i := range contacts {
		email := fmt.Sprintf("c%05d@example.com", i)
		rows[i] = brevo.ImportContact{Email: email}
		updates[i] = brevo.BatchContact{Email: email, Attributes: brevo.Attributes{"SENTIMENT_SCORE": brevo.Number(float64(i) / contacts)}}
	}
	_, err = c.Contacts.Import(ctx, brevo.ImportContactsRequest{Contacts: rows, ListIDs: []int64{list.ID}})
	require.NoError(t, err)

	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, workers)
	per := contacts / workers
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[w] = c.Contacts.UpdateMany(ctx, updates[w*per:(w+1)*per])
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, err := range errs {
		require.NoError(t, err)
	}

	// Count the updates back from the server's state.
	lost := 0
	for i, u := range updates {
		got, ok := srv.Contact(u.Email)
		if !ok || !got.Attributes["SENTIMENT_SCORE"].Equal(u.Attributes["SENTIMENT_SCORE"]) {
			lost++
			if lost <= 3 {
				t.Errorf("update %d lost: %+v", i, got.Attributes)
			}
		}
	}

	var admitted []time.Time
	rejected, batches := 0, 0
	for _, r := range srv.Requests() {
		if brevo.RouteGroup(r.Method, r.Path) != brevo.GroupContacts {
			continue
		}
		switch r.Status {
		case http.StatusTooManyRequests:
			rejected++
		default:
			admitted = append(admitted, r.Time)
		}
		if r.Path == "/contacts/batch" && r.Status == http.StatusNoContent {
			batches++
		}
	}
	sort.Slice(admitted, func(i, j int) bool { return admitted[i].Before(admitted[j]) })
	maxSliding := 0
	for i, j := 0, 0; j < len(admitted); j++ {
		for admitted[j].Sub(admitted[i]) >= window {
			i++
		}
		maxSliding = max(maxSliding, j-i+1)
	}
	rate := float64(batches) / elapsed.Seconds()
	t.Logf("%d updates in %d batch calls over %v: %.1f calls/s against a budget of %d per %v; busiest 1 s: %d requests; 429s: %d; lost updates: %d",
		contacts, batches, elapsed.Round(time.Millisecond), rate, limit, window, maxSliding, rejected, lost)
	assert.Equal(t, contacts/brevo.MaxBatch, batches)
	assert.Zero(t, rejected, "the throttle kept every window within the budget")
	assert.Zero(t, lost)
	assert.LessOrEqual(t, rate, float64(limit)/window.Seconds())
}
