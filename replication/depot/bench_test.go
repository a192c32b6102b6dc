package depot

import (
	"strconv"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// BenchmarkDrainBacklog drains a 100,000-event backlog through an
// in-process mochi broker to the test's HQ, which checks every batch with
// DecodeBatch (hashes and chain) and acknowledges it: events/s end to end.
func BenchmarkDrainBacklog(b *testing.B) {
	const backlog = 100_000
	br := startBroker(b)
	s := openStore(b, b.TempDir())
	defer s.Close()
	appendParts(b, s, 0, backlog)
	for _, window := range []int{4, 16} {
		b.Run("window="+strconv.Itoa(window), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				if err := s.SetReplicationAck(inventory.ReplicationAck{}); err != nil {
					b.Fatal(err)
				}
				h := startHQ(b, br)
				p := newPublisher(b, Options{Store: s, Broker: br.URL(), Window: window})
				b.StartTimer()
				stop := run(b, p)
				h.waitHWM(backlog, 5*time.Minute)
				b.StopTimer()
				stop()
				h.client.Disconnect(0)
				b.StartTimer()
			}
			b.ReportMetric(float64(backlog*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
