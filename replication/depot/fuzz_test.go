package depot

import (
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

// FuzzAck: whatever arrives on the ack topic, the ack only moves forward,
// never beyond what was sent, and only with the epoch of the events it
// names; everything else is counted as ignored or is a repeat.
func FuzzAck(f *testing.F) {
	for _, seed := range []string{
		`{"v":1,"epoch":1,"seq":50}`, `{"v":1,"epoch":1,"seq":100}`, `{"v":1,"epoch":1,"seq":101}`,
		`{"v":1,"epoch":2,"seq":50}`, `{"v":1,"epoch":1,"seq":18446744073709551615}`, `{"v":2,"epoch":1,"seq":1}`,
		`{"v":1,"epoch":1,"seq":-1}`, `{"v":1}`, `null`, `[]`, ``,
	} {
		f.Add([]byte(seed))
	}
	s := openStore(f, f.TempDir())
	defer s.Close()
	appendParts(f, s, 0, 120)
	f.Fuzz(func(t *testing.T, payload []byte) {
		p, err := New(Options{Store: s, Broker: "tcp://127.0.0.1:1", Log: discardLog()})
		if err != nil {
			t.Fatal(err)
		}
		// As if batches 1..100 of epoch 1 were published, 51..100 unacknowledged.
		p.ackOK = inventory.ReplicationAck{Epoch: 1, Seq: 50}
		p.savedAck = p.ackOK
		p.sent, p.maxSent = 100, 100
		p.window = []inflight{{from: 51, to: 100, epoch: 1}}
		before := p.State().AcksIgnored
		p.onAck(payload)
		got := p.ackOK
		switch {
		case got.Seq < 50 || got.Seq > 100:
			t.Fatalf("ack moved to %d from 50 with only 100 sent", got.Seq)
		case got.Epoch != 1:
			t.Fatalf("ack of epoch %d accepted for events of epoch 1", got.Epoch)
		case got.Seq > 50 && p.State().AcksIgnored != before:
			t.Fatal("an ack both moved and was counted as ignored")
		}
	})
}
