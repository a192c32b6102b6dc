package depot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// A draining backlog gets a line when it starts, at every tenth, after
// each interval without one, and when it is done; a small one gets none.
func TestDrainProgress(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type step struct {
		after     time.Duration
		ack, head uint64
		want      string // "" for no line, else a word the line holds
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"small backlog says nothing", []step{{0, 0, 999, ""}, {time.Minute, 500, 999, ""}, {2 * time.Minute, 999, 999, ""}}},
		{"tenths and done", []step{
			{0, 0, 10000, "backlog"},
			{time.Second, 500, 10000, ""},
			{2 * time.Second, 1000, 10000, "percent=10"},
			{3 * time.Second, 1100, 10000, ""},
			{4 * time.Second, 5500, 10000, "percent=50"},
			{5 * time.Second, 10000, 10000, "done"},
			{6 * time.Second, 10000, 10000, ""},
		}},
		{"a slow drain still reports each interval", []step{
			{0, 0, 100000, "backlog"},
			{9 * time.Second, 10, 100000, ""},
			{10 * time.Second, 20, 100000, "percent=0"},
			{15 * time.Second, 30, 100000, ""},
			{20 * time.Second, 40, 100000, "percent=0"},
		}},
		{"a head that moves on extends the drain", []step{
			{0, 0, 2000, "backlog"},
			{time.Second, 2000, 3000, "percent"},
			{2 * time.Second, 3000, 3000, "done"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d drainProgress
			for i, s := range tc.steps {
				line, ok := d.step(t0.Add(s.after), s.ack, s.head, 10*time.Second)
				got := fmt.Sprint(line...)
				if len(line) > 0 {
					var b strings.Builder
					for j := 0; j+1 < len(line); j += 2 {
						fmt.Fprintf(&b, "%v=%v ", line[j], line[j+1])
					}
					got = b.String()
				}
				switch {
				case s.want == "" && ok:
					t.Errorf("step %d: unexpected line %q", i, got)
				case s.want != "" && (!ok || !strings.Contains(got, s.want)):
					t.Errorf("step %d: line %q (%v), want one with %q", i, got, ok, s.want)
				}
			}
		})
	}
}

// The collector serves every metric from one snapshot.
func TestCollector(t *testing.T) {
	b := startBroker(t)
	s := openStore(t, t.TempDir())
	defer s.Close()
	appendParts(t, s, 0, 30)
	h := startHQ(t, b)
	p := newPublisher(t, Options{Store: s, Broker: b.URL()})
	run(t, p)
	h.waitHWM(30, 10*time.Second)
	waitFor(t, 5*time.Second, "backlog 0", func() bool { return p.State().Backlog == 0 })
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(p.Collector())
	fams, err := reg.Gather()
	if err != nil || len(fams) != len(metricDefs) {
		t.Fatalf("gathered %d metrics (%v), want %d", len(fams), err, len(metricDefs))
	}
	got := map[string]float64{}
	for _, f := range fams {
		m := f.GetMetric()[0]
		got[f.GetName()] = m.GetGauge().GetValue() + m.GetCounter().GetValue()
	}
	for name, want := range map[string]float64{
		"partsedge_replication_acked_seq":         30,
		"partsedge_replication_backlog_events":    0,
		"partsedge_replication_connected":         1,
		"partsedge_replication_events_sent_total": 30,
	} {
		if got[name] != want {
			t.Errorf("%s = %v, want %v", name, got[name], want)
		}
	}
}
