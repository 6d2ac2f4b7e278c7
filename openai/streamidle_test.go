package openai_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachkit/reachkit/openai"
)

// pacedServer sends n content chunks, gap apart, then [DONE]; with stall
// set it sends one chunk and then nothing until the client goes away.
func pacedServer(t *testing.T, n int, gap time.Duration, stall bool) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		f := w.(http.Flusher)
		for i := 0; i < n; i++ {
			fmt.Fprintf(w, "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%d\"}}]}\n\n", i)
			f.Flush()
			if stall {
				<-r.Context().Done()
				return
			}
			time.Sleep(gap)
		}
		fmt.Fprint(w, "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestStreamIdleTimeout(t *testing.T) {
	tests := []struct {
		name     string
		idle     time.Duration
		chunks   int
		gap      time.Duration
		stall    bool
		consumer time.Duration // pause between Next calls
		wantErr  bool
		wantText string
	}{
		{"server stalls after one chunk", 100 * time.Millisecond, 1, 0, true, 0, true, "0"},
		{"server paced under the limit", 100 * time.Millisecond, 5, 20 * time.Millisecond, false, 0, false, "01234"},
		{"slow caller, prompt server", 50 * time.Millisecond, 3, 10 * time.Millisecond, false, 120 * time.Millisecond, false, "012"},
		{"no idle timeout: the context decides", 0, 1, 0, true, 0, true, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := openai.NewClient(openai.WithAPIKey(testKey), openai.WithBaseURL(pacedServer(t, tt.chunks, tt.gap, tt.stall)),
				openai.WithStreamIdleTimeout(tt.idle))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			start := time.Now()
			st := c.Chat.Stream(ctx, helloReq)
			defer st.Close()
			for st.Next() {
				time.Sleep(tt.consumer)
			}
			elapsed := time.Since(start)
			assert.Equal(t, tt.wantText, st.Text())
			if !tt.wantErr {
				require.NoError(t, st.Err())
				return
			}
			require.ErrorIs(t, st.Err(), context.DeadlineExceeded)
			if tt.idle > 0 {
				require.ErrorIs(t, st.Err(), openai.ErrStreamIdle)
				assert.Less(t, elapsed, time.Second, "the idle timeout, not the context, ended the stream")
			} else {
				assert.False(t, errors.Is(st.Err(), openai.ErrStreamIdle))
				assert.GreaterOrEqual(t, elapsed, 2*time.Second-50*time.Millisecond)
			}
		})
	}
	_, err := openai.NewClient(openai.WithAPIKey(testKey), openai.WithStreamIdleTimeout(-time.Second))
	require.Error(t, err)
}
