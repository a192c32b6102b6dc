package replbench

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

const (
	backlogDepot  = "BACKLOG-1"
	backlogEvents = 1_000_000
)

// backlogStore is the cached folder of a depot store holding 1,000,000
// events (50 bins, 1,000 parts, the rest receipts), built once by 64
// writers sharing group commits.
func backlogStore(b *testing.B) string {
	return cached(b, "partsedge-replbench-1m-v1", func(dir string) error {
		st := filepath.Join(dir, "store")
		if err := os.MkdirAll(st, 0o755); err != nil {
			return err
		}
		s := openStore(b, st, backlogDepot)
		err := catalogue{bins: 50, parts: 1000}.fill(s, backlogEvents, 64)
		if cerr := s.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

// BenchmarkMosquittoBacklog1M drains a depot's 1,000,000-event backlog
// through Mosquitto to an empty HQ: the depot after a long outage, or a new
// HQ. The clock runs from the publisher's start (its connect included) to
// HQ's HWM reaching the head; each iteration drains a fresh copy of the
// cached store to a fresh HQ through a fresh broker. Budget (DESIGN.md):
// <= 60 s on a 2-core machine.
func BenchmarkMosquittoBacklog1M(b *testing.B) {
	src := filepath.Join(backlogStore(b), "store")
	storeMB := float64(dirSize(src)) / (1 << 20)
	var drain time.Duration
	var wasted waste
	b.ResetTimer()
	for n := range b.N {
		b.StopTimer()
		dir, err := os.MkdirTemp("", "replbench-depot-")
		if err != nil {
			b.Fatal(err)
		}
		if err := copyDir(src, dir); err != nil {
			b.Fatal(err)
		}
		st := openStore(b, dir, backlogDepot)
		head := st.Head()
		if head.Seq != backlogEvents {
			b.Fatalf("the cached store holds %d events, want %d", head.Seq, backlogEvents)
		}
		br := startMosquitto(b, []string{backlogDepot}, 0)
		in := startHQ(b, br, "bench-hq-"+strconv.Itoa(n))
		p := newPublisher(b, st, br)
		b.StartTimer()

		t0 := time.Now()
		stop := runPublisher(b, p)
		in.waitApplied(b, backlogDepot, head.Seq, 10*time.Minute)
		drain += time.Since(t0)

		b.StopTimer()
		stop()
		wasted.add(in.check(b, backlogDepot, head))
		in.close()
		br.Stop()
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(dir)
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(drain.Seconds()/float64(b.N), "s/drain")
	b.ReportMetric(float64(backlogEvents*b.N)/drain.Seconds(), "events/s")
	b.ReportMetric(storeMB, "store-MB")
	wasted.report(b, b.N)
}
