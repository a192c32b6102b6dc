package replbench

import (
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/partsedge/partsedge/replication/depot"
)

const (
	manyDepots    = 500
	eventsPerLog  = 1000
	depotWindow   = 8 // depot.Options' default Window
	buildParallel = 4
)

func depotID(i int) string { return fmt.Sprintf("DEPOT-%03d", i+1) }

// depotLogs returns the logs of the 500 depots, each written once by a real
// inventory store of that depot (its id is in every event and its hash),
// then kept as files in the system temp folder.
func depotLogs(b *testing.B) [][][]byte {
	name := "partsedge-replbench-" + strconv.Itoa(manyDepots) + "x" + strconv.Itoa(eventsPerLog) + "-v1"
	dir := cached(b, name, func(dir string) error {
		cat := catalogue{bins: 5, parts: 50}
		jobs := make(chan int)
		errs := make(chan error, manyDepots)
		var wg sync.WaitGroup
		for range buildParallel {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					raws, err := buildLog(depotID(i), cat, eventsPerLog, 16)
					if err == nil {
						err = writeLogFile(filepath.Join(dir, depotID(i)+".log"), raws)
					}
					if err != nil {
						errs <- err
					}
				}
			}()
		}
		for i := range manyDepots {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		close(errs)
		return <-errs // nil when the channel is empty
	})
	logs := make([][][]byte, manyDepots)
	for i := range logs {
		raws, err := readLogFile(filepath.Join(dir, depotID(i)+".log"))
		if err != nil {
			b.Fatal(err)
		}
		if len(raws) != eventsPerLog {
			b.Fatalf("%s holds %d events, want %d: remove %s to rebuild", depotID(i), len(raws), eventsPerLog, dir)
		}
		logs[i] = raws
	}
	return logs
}

// BenchmarkMosquittoHQ500Depots: 500 depots, each its own MQTT user and
// the real publisher, start at once with a 1,000-event log each and HQ
// ingests them all (4 workers, as hqd runs it). The clock runs from the
// publishers' start (500 connects included) to the last HWM reaching its
// depot's head (events/s) and on to the last depot holding HQ's ack of
// its whole log (s/all-acked).
func BenchmarkMosquittoHQ500Depots(b *testing.B) {
	logs := depotLogs(b)
	ids := make([]string, manyDepots)
	for i := range ids {
		ids[i] = depotID(i)
	}
	total := manyDepots * eventsPerLog
	var applied, acked time.Duration
	var wasted waste
	b.ResetTimer()
	for n := range b.N {
		b.StopTimer()
		// HQ's session queues every depot's window plus a resend of it and
		// the statuses; past max_queued_messages Mosquitto drops silently.
		br := startMosquitto(b, ids, manyDepots*(2*depotWindow+4))
		in := startHQ(b, br, "bench-hq-"+strconv.Itoa(n))
		stores := make([]*cachedLog, manyDepots)
		pubs := make([]*depot.Publisher, manyDepots)
		for i, raws := range logs {
			l, err := newCachedLog(ids[i], raws)
			if err != nil {
				b.Fatal(err)
			}
			stores[i] = l
			pubs[i] = newPublisher(b, l, br)
		}
		b.StartTimer()

		t0 := time.Now()
		stops := make([]func(), manyDepots)
		for i, p := range pubs {
			stops[i] = runPublisher(b, p)
		}
		for i, l := range stores {
			in.waitApplied(b, ids[i], l.Head().Seq, 10*time.Minute)
		}
		applied += time.Since(t0)
		for i, p := range pubs {
			head := stores[i].Head().Seq
			waitUntil(b, 5*time.Minute, ids[i]+" acknowledged", func() bool { return p.State().AckSeq == head })
		}
		acked += time.Since(t0)

		b.StopTimer()
		var wg sync.WaitGroup
		for _, stop := range stops {
			wg.Add(1)
			go func() { defer wg.Done(); stop() }()
		}
		wg.Wait()
		for i, l := range stores {
			wasted.add(in.check(b, ids[i], l.Head()))
		}
		in.close()
		br.Stop()
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(total*b.N)/applied.Seconds(), "events/s")
	b.ReportMetric(acked.Seconds()/float64(b.N), "s/all-acked")
	wasted.report(b, b.N)
}
