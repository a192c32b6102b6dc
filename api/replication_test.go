package api

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// fixedReplication reports one state, as cmd/depotd's adapter over the
// publisher would.
type fixedReplication struct{ st ReplicationStatus }

func (r fixedReplication) ReplicationStatus() ReplicationStatus { return r.st }

func TestReplicationStatus(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	online := ReplicationStatus{Broker: "tcp://hq:1883", Connected: true, AckEpoch: 1, AckSeq: 40, Head: 50,
		Backlog: 10, SentSeq: 50, InFlight: 1, LastAckAt: at, Batches: 3, EventsSent: 50, Resends: 1}
	for _, tc := range []struct {
		name string
		repl Replication
		role string
		code int
		want ReplicationStatus
	}{
		{"offline depot: the whole log is backlog", nil, RoleAuditor, http.StatusOK,
			ReplicationStatus{Head: 2, Backlog: 2}},
		{"publisher state", fixedReplication{online}, RoleAuditor, http.StatusOK,
			func() ReplicationStatus { s := online; s.Enabled = true; return s }()},
		{"no token", fixedReplication{online}, "", http.StatusUnauthorized, ReplicationStatus{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.Replication = tc.repl })
			for i := range 2 {
				if _, err := f.store.Append(t.Context(), inventory.Command{Type: inventory.EvLocationDefined, Actor: "t",
					Location: &inventory.Location{Code: "L" + string(rune('0'+i)), Kind: inventory.KindStock}}); err != nil {
					t.Fatal(err)
				}
			}
			w := f.do(req{method: "GET", path: "/api/v1/replication", role: tc.role})
			if w.Code != tc.code {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.code, w.Body)
			}
			if tc.code != http.StatusOK {
				return
			}
			var got ReplicationStatus
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
