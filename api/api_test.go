package api

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

func metricsText(t *testing.T, f *fixture) string {
	t.Helper()
	w := f.do(req{method: "GET", path: "/metrics"})
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	return w.Body.String()
}

func TestMetrics(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	other := newFixture(t)
	receipt := withKey(post(RoleStorekeeper, `{"type":"receipt","ref":"PO-1","lines":[{"sku":"P-NONE","qty":1,"to":"A-01"}]}`), "m-1")
	f.do(receipt)
	f.do(receipt) // a replay: a request, not an event
	f.do(req{method: "GET", path: "/api/v1/parts/P-NONE", role: RoleAuditor})
	f.do(req{method: "GET", path: "/no/such/thing"})
	f.do(req{method: "BREW", path: "/api/v1/parts"})
	m := metricsText(t, f)
	for _, want := range []string{
		`partsedge_events_appended_total{type="receipt"} 1`,
		`partsedge_events_appended_total{type="scrap"} 0`,
		`partsedge_http_requests_total{method="POST",route="/api/v1/events",status="201"} 2`,
		`partsedge_http_requests_total{method="GET",route="/api/v1/parts/:sku",status="200"} 1`,
		`partsedge_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`partsedge_http_requests_total{method="other",route="unmatched",status="405"} 1`,
		`partsedge_http_request_duration_seconds_count{method="POST",route="/api/v1/events"} 2`,
		`partsedge_log_head_seq 13`,
		`go_goroutines`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// Each server has its own registry.
	if o := metricsText(t, other); strings.Contains(o, `route="/api/v1/events"`) || !strings.Contains(o, "partsedge_log_head_seq 0") {
		t.Errorf("a second server shares the first one's metrics:\n%s", o)
	}
}

func TestAccessLog(t *testing.T) {
	for _, tc := range []struct {
		level slog.Level
		lines int
	}{{slog.LevelDebug, 1}, {slog.LevelInfo, 0}} {
		f := newFixture(t)
		var buf bytes.Buffer
		f.srv = newServer(Config{Store: f.store, Clock: f.clock,
			Log: slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: tc.level}))})
		f.do(req{method: "GET", path: "/api/v1/locations/NOPE?x=1", role: RoleAuditor})
		var lines []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			var m map[string]any
			if l == "" || json.Unmarshal([]byte(l), &m) != nil || m["msg"] != "http request" {
				continue
			}
			lines = append(lines, m)
		}
		if len(lines) != tc.lines {
			t.Fatalf("level %v: %d access lines in %q", tc.level, len(lines), buf.String())
		}
		if tc.lines == 1 {
			l := lines[0]
			if l["level"] != "DEBUG" || l["method"] != "GET" || l["route"] != "/api/v1/locations/:code" ||
				l["status"] != float64(404) || l["path"] != "/api/v1/locations/NOPE" {
				t.Errorf("access line %v", l)
			}
		}
	}
}

func TestRequestDurationUsesTheClock(t *testing.T) {
	f := newFixture(t)
	// A store that takes 3 s of the injected clock to answer a part.
	f.srv = newServer(Config{Store: &slowStore{failingStore{Store: f.store}, f.clock}, Clock: f.clock})
	f.do(req{method: "GET", path: "/api/v1/parts/P-1", role: RoleAuditor})
	m := metricsText(t, f)
	if !strings.Contains(m, `partsedge_http_request_duration_seconds_bucket{method="GET",route="/api/v1/parts/:sku",le="2.5"} 0`) ||
		!strings.Contains(m, `partsedge_http_request_duration_seconds_bucket{method="GET",route="/api/v1/parts/:sku",le="5"} 1`) {
		t.Errorf("the 3 s request is not in the 5 s bucket:\n%s", m)
	}
}

type slowStore struct {
	failingStore
	clock *fakeClock
}

func (s *slowStore) Part(sku string) (inventory.Part, error) {
	s.clock.Advance(3 * time.Second)
	return s.failingStore.Part(sku)
}

// A body without a length (chunked) is cut at the limit while it is read.
func TestBodyLimitWithoutContentLength(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	before := f.store.Head().Seq
	body := `{"type":"receipt","note":"` + strings.Repeat("n", 2<<20) + `","lines":[{"sku":"P-NONE","qty":1,"to":"A-01"}]}`
	r := httptest.NewRequest("POST", "/api/v1/events", io.NopCloser(strings.NewReader(body)))
	r.ContentLength = -1
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+tokenOf(RoleStorekeeper))
	w := httptest.NewRecorder()
	f.srv.engine.ServeHTTP(w, r)
	if w.Code != 413 || decodeProblem(t, w).Code != "body_too_large" || f.store.Head().Seq != before {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}
