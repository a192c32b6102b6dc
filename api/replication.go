package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

// Replication is what the API needs from the depot's replication to HQ.
// It is its own small interface so the API does not import the MQTT side;
// cmd/depotd adapts the publisher to it.
type Replication interface {
	ReplicationStatus() ReplicationStatus
}

// ReplicationStatus is the answer of GET /api/v1/replication.
type ReplicationStatus struct {
	// Enabled is false when the depot runs offline (no broker configured);
	// the rest is then zero but the head and backlog.
	Enabled   bool   `json:"enabled"`
	Broker    string `json:"broker,omitempty"`
	Connected bool   `json:"connected"`
	// AckEpoch and AckSeq are HQ's last acknowledgement; Head the log's last
	// seq and Backlog the events HQ has not acknowledged.
	AckEpoch   uint32    `json:"ackEpoch"`
	AckSeq     uint64    `json:"ackSeq"`
	Head       uint64    `json:"head"`
	Backlog    uint64    `json:"backlog"`
	SentSeq    uint64    `json:"sentSeq"`
	InFlight   int       `json:"inFlight"`
	LastAckAt  time.Time `json:"lastAckAt,omitzero"`
	LagSeconds float64   `json:"lagSeconds"`
	Batches    uint64    `json:"batches"`
	EventsSent uint64    `json:"eventsSent"`
	Resends    uint64    `json:"resends"`
	// AcksIgnored counts acks refused: undecodable, another epoch, or
	// beyond what was sent.
	AcksIgnored uint64 `json:"acksIgnored"`
	Connects    uint64 `json:"connects"`
	// Commands is what became of HQ's commands (transfer orders, policies,
	// catalogue entries) since the depot started; the cursor is durable.
	Commands CommandsStatus `json:"commands"`
}

// CommandsStatus counts HQ's commands at the depot.
type CommandsStatus struct {
	// Cursor is HQ's last command this depot is done with.
	Cursor     uint64 `json:"cursor"`
	Applied    uint64 `json:"applied"`
	Refused    uint64 `json:"refused"`
	Duplicates uint64 `json:"duplicates"`
	Gaps       uint64 `json:"gaps"`
	Rejected   uint64 `json:"rejected"`
	Failures   uint64 `json:"failures"`
}

func (s *server) replicationStatus(c *gin.Context, _ *inventory.User) {
	if s.replication == nil {
		// Offline: everything in the log is backlog for the day a broker
		// is configured.
		h := s.store.Head()
		s.writeJSON(c, http.StatusOK, ReplicationStatus{Head: h.Seq, Backlog: h.Seq})
		return
	}
	st := s.replication.ReplicationStatus()
	st.Enabled = true
	s.writeJSON(c, http.StatusOK, st)
}
