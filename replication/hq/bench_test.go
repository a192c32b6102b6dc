package hq

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
)

// benchLog is a real depot log of n events, written by concurrent clerks
// so the store groups their commits (the setup stays short).
func benchLog(b *testing.B, id string, n int) [][]byte {
	d := newDepot(b, id, b.TempDir())
	d.grow(2)
	var wg sync.WaitGroup
	per := (n - 2) / 16
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				if _, err := d.st.Append(context.Background(), inventory.Command{Type: inventory.EvReceipt, Actor: "sk",
					Lines: []inventory.Line{{SKU: "PN", Qty: 1, To: "A"}}}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return d.raws()
}

// BenchmarkIngestMQTT: N depots publish their whole logs concurrently, in
// batches of 100 at QoS 1, through an in-process mochi broker to HQ, which
// applies each durably (fsync'd Badger) and acks it. events/s is HQ's
// ingest rate from the first publish to the last HWM reaching the end.
func BenchmarkIngestMQTT(b *testing.B) {
	for _, tc := range []struct{ depots, events int }{{1, 4002}, {8, 1602}, {32, 402}} {
		b.Run(fmt.Sprintf("depots=%d", tc.depots), func(b *testing.B) {
			broker := startBroker(b)
			logs := make([][][]byte, tc.depots)
			var wg sync.WaitGroup
			for i := range logs {
				wg.Add(1)
				go func() { defer wg.Done(); logs[i] = benchLog(b, fmt.Sprintf("D%d", i), tc.events) }()
			}
			wg.Wait()
			total := 0
			pubs := make([]mqtt.Client, tc.depots)
			for i := range pubs {
				pubs[i] = client(b, broker, fmt.Sprintf("bench-depot-%d", i))
				total += len(logs[i])
			}
			var elapsed time.Duration
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				b.StopTimer()
				h := openHQ(b, b.TempDir())
				sub, err := h.Subscribe(context.Background(), MQTTOptions{Broker: broker, ClientID: fmt.Sprintf("bench-hq-%d", n)})
				if err != nil {
					b.Fatal(err)
				}
				eventually(b, "subscribed", sub.Connected)
				b.StartTimer()
				start := time.Now()
				var pw sync.WaitGroup
				for i, raws := range logs {
					pw.Add(1)
					go func() {
						defer pw.Done()
						id := fmt.Sprintf("D%d", i)
						var toks []mqtt.Token
						for from := 0; from < len(raws); from += 100 {
							to := min(from+100, len(raws))
							toks = append(toks, pubs[i].Publish(replication.Topic(id, replication.KindEvents), 1, false,
								batchOf(id, 1, uint64(from+1), raws[from:to])))
						}
						for _, t := range toks {
							t.Wait()
						}
					}()
				}
				pw.Wait()
				for i, raws := range logs {
					id := fmt.Sprintf("D%d", i)
					for deadline := time.Now().Add(time.Minute); h.hwm(id).Seq < uint64(len(raws)); time.Sleep(time.Millisecond) {
						if time.Now().After(deadline) {
							b.Fatalf("%s stuck at %+v: %+v", id, h.hwm(id), depotOf(b, h, id).Counters)
						}
					}
				}
				elapsed += time.Since(start)
				b.StopTimer()
				sub.Close()
				h.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(total*b.N)/elapsed.Seconds(), "events/s")
		})
	}
}
