package replbench

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

const steadyDepot = "STEADY-1"

// BenchmarkMosquittoSteady: writers append b.N receipts to a live depot
// store while the publisher (as depotd runs it: default window, batch and
// 100 ms poll) ships them through Mosquitto to HQ. events/s is b.N over the
// time from the first append to HQ applying the last; the lag of an event
// runs from the call of its Append (its fsync included) to HQ's HWM being
// seen past it, polled every millisecond (so it reads up to 1 ms high).
// Run it with -benchtime 50000x or so: small b.N only measures the poll.
func BenchmarkMosquittoSteady(b *testing.B) {
	for _, writers := range []int{16, 64} {
		b.Run("writers="+strconv.Itoa(writers), func(b *testing.B) { steady(b, writers) })
	}
}

func steady(b *testing.B, writers int) {
	cat := catalogue{bins: 20, parts: 500}
	br := startMosquitto(b, []string{steadyDepot}, 0)
	st := openStore(b, b.TempDir(), steadyDepot)
	if err := cat.define(st, 16); err != nil {
		b.Fatal(err)
	}
	in := startHQ(b, br, "bench-hq")
	defer in.close()
	stop := runPublisher(b, newPublisher(b, st, br))
	// The catalogue reaches HQ before the clock: the benchmark measures
	// the live flow, not the first catch-up.
	base := st.Head().Seq
	in.waitApplied(b, steadyDepot, base, time.Minute)

	n := b.N
	appended := make([]time.Time, n) // by seq-base-1: when Append was called
	applied := make([]time.Time, n)  // by seq-base-1: when HQ's HWM was seen past it
	watchErr := make(chan error, 1)
	quit := make(chan struct{})
	b.ResetTimer()
	start := time.Now()
	go func() { watchErr <- watchHWM(in, base, applied, quit, 5*time.Minute) }()

	err := concurrently(n, writers, 11, func(i int, r *rand.Rand) error {
		t0 := time.Now()
		res, err := st.Append(b.Context(), cat.receipt(i, r))
		if err != nil {
			return err
		}
		// Each seq is written by the one writer whose append made it.
		appended[res.Event.Seq-base-1] = t0
		return nil
	})
	if err != nil {
		// The watcher must stop before the cleanups close HQ under it.
		close(quit)
		<-watchErr
		b.Fatal(err)
	}
	if err := <-watchErr; err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()

	stop()
	head := st.Head()
	if head.Seq != base+uint64(n) {
		b.Fatalf("the log holds %d events, want %d", head.Seq, base+uint64(n))
	}
	wasted := in.check(b, steadyDepot, head)
	lags := make([]time.Duration, n)
	for i := range n {
		lags[i] = applied[i].Sub(appended[i])
	}
	slices.Sort(lags)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "events/s")
	b.ReportMetric(ms(percentile(lags, 0.50)), "lag-p50-ms")
	b.ReportMetric(ms(percentile(lags, 0.99)), "lag-p99-ms")
	wasted.report(b, 1)
}

// watchHWM polls HQ's HWM of the steady depot until it is past base+n and
// stamps every seq it passes with when it was seen. It alone writes applied.
func watchHWM(in *ingest, base uint64, applied []time.Time, quit <-chan struct{}, within time.Duration) error {
	end := base + uint64(len(applied))
	last := base
	deadline := time.Now().Add(within)
	for last < end {
		if w := in.hwm(steadyDepot).Seq; w > last {
			now := time.Now()
			for s := last + 1; s <= min(w, end); s++ {
				applied[s-base-1] = now
			}
			last = w
			continue
		}
		if time.Now().After(deadline) {
			d, _ := in.h.Depot(steadyDepot)
			return fmt.Errorf("HQ stuck at %d after %s, want %d (counters %+v)", last, within, end, d.Counters)
		}
		select {
		case <-quit:
			return errors.New("stopped")
		case <-time.After(time.Millisecond):
		}
	}
	return nil
}
