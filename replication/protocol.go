// Package replication is the MQTT protocol between depots and HQ (the
// replication contract of DESIGN.md): topics, the payloads on them, and the
// checks every payload passes before anything is applied. MQTT is only the
// transport: the depot's event log is the outbox and HQ's per-depot
// high-water mark decides what is applied, so a lost, repeated or reordered
// message costs a resend, never an event.
package replication

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// Version is the payload version every message carries as "v".
const Version = 1

// TopicRoot is the prefix of every topic.
const TopicRoot = "partsedge/v1/depots/"

// Topic kinds under a depot.
const (
	KindEvents      = "events"       // depot -> HQ: event batches
	KindAck         = "ack"          // HQ -> depot (retained): applied up to
	KindCommands    = "commands"     // HQ -> depot: command batches
	KindCommandsAck = "commands/ack" // depot -> HQ (retained): commands applied up to
	KindStatus      = "status"       // depot (retained, last will): online/offline
	KindNotices     = "notices"      // depot -> HQ: notice batches (notices.go)
	KindNoticesAck  = "notices/ack"  // HQ -> depot (retained): notices stored up to
)

// Topic is the topic of kind for depot.
func Topic(depot, kind string) string { return TopicRoot + depot + "/" + kind }

// ParseTopic splits a topic into its depot and kind; ok is false for a
// topic outside the protocol.
func ParseTopic(topic string) (depot, kind string, ok bool) {
	rest, found := strings.CutPrefix(topic, TopicRoot)
	if !found {
		return "", "", false
	}
	depot, kind, found = strings.Cut(rest, "/")
	if !found || ValidDepot(depot) != nil {
		return "", "", false
	}
	switch kind {
	case KindEvents, KindAck, KindCommands, KindCommandsAck, KindStatus, KindNotices, KindNoticesAck:
		return depot, kind, true
	}
	return "", "", false
}

// ValidDepot checks a depot id is usable in a topic: a code without MQTT's
// separators and wildcards.
func ValidDepot(depot string) error {
	if depot == "" || len(depot) > inventory.MaxCodeLen {
		return fmt.Errorf("depot id must be 1 to %d characters", inventory.MaxCodeLen)
	}
	for _, r := range depot {
		if r == '/' || r == '+' || r == '#' || r <= ' ' || r == 0x7f {
			return fmt.Errorf("depot id %q holds %q, which MQTT topics cannot carry", depot, r)
		}
	}
	return nil
}

// MaxBatchEvents bounds the events in one batch, so a batch stays well under
// a broker's message size limit (Mosquitto's default is 256 MB, but
// clusters commonly set 1 MB) with room for large events.
const MaxBatchEvents = 500

// Batch is what a depot publishes on its events topic: events from..to of
// one epoch, in seq order, each exactly as the depot stored it (the bytes
// its hash covers).
type Batch struct {
	V      int               `json:"v"`
	Depot  string            `json:"depot"`
	Epoch  uint32            `json:"epoch"`
	From   uint64            `json:"from"`
	To     uint64            `json:"to"`
	Events []json.RawMessage `json:"events"`
}

// ErrRejected wraps every reason a payload is refused: it is counted and
// never applied.
var ErrRejected = errors.New("rejected")

func reject(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrRejected, fmt.Sprintf(format, a...))
}

// DecodeBatch checks a batch received on depot's events topic and returns it
// with its events decoded: the version, the depot (a batch naming another
// depot than its topic is foreign), a contiguous from..to, and every event
// of this depot and epoch, with the right seq, a hash that fits its
// content, and a link to the event before it within the batch. What comes
// before From is the receiver's to check against its high-water mark.
func DecodeBatch(topicDepot string, payload []byte) (Batch, []inventory.Event, error) {
	var b Batch
	if err := json.Unmarshal(payload, &b); err != nil {
		return b, nil, reject("undecodable batch: %v", err)
	}
	switch {
	case b.V != Version:
		return b, nil, reject("version %d, want %d", b.V, Version)
	case b.Depot != topicDepot:
		return b, nil, reject("batch of depot %q on depot %q's topic", b.Depot, topicDepot)
	case b.From == 0 || b.To < b.From:
		return b, nil, reject("range %d..%d", b.From, b.To)
	case b.To-b.From+1 != uint64(len(b.Events)):
		return b, nil, reject("range %d..%d holds %d events", b.From, b.To, len(b.Events))
	case len(b.Events) > MaxBatchEvents:
		return b, nil, reject("%d events, at most %d", len(b.Events), MaxBatchEvents)
	}
	evs := make([]inventory.Event, len(b.Events))
	for i, raw := range b.Events {
		ev, err := inventory.CheckStoredEvent(raw)
		if err != nil {
			return b, nil, reject("%v", err)
		}
		seq := b.From + uint64(i)
		switch {
		case ev.Seq != seq:
			return b, nil, reject("event %d where %d belongs", ev.Seq, seq)
		case ev.Depot != b.Depot:
			return b, nil, reject("event %d of depot %q", ev.Seq, ev.Depot)
		case ev.Epoch != b.Epoch:
			return b, nil, reject("event %d of epoch %d in a batch of epoch %d", ev.Seq, ev.Epoch, b.Epoch)
		case i > 0 && ev.PrevHash != evs[i-1].Hash:
			return b, nil, reject("event %d does not chain to event %d", ev.Seq, ev.Seq-1)
		}
		evs[i] = ev
	}
	return b, evs, nil
}

// Ack is what HQ publishes, retained, on a depot's ack topic: everything
// of the epoch up to Seq is durably applied at HQ.
type Ack struct {
	V     int    `json:"v"`
	Epoch uint32 `json:"epoch"`
	Seq   uint64 `json:"seq"`
}

// DecodeAck checks an ack.
func DecodeAck(payload []byte) (Ack, error) {
	var a Ack
	if err := json.Unmarshal(payload, &a); err != nil {
		return a, reject("undecodable ack: %v", err)
	}
	if a.V != Version {
		return a, reject("ack version %d, want %d", a.V, Version)
	}
	return a, nil
}

// Status is what a depot publishes, retained, on its status topic; its
// last will is the same with State offline.
type Status struct {
	V       int       `json:"v"`
	Depot   string    `json:"depot"`
	State   string    `json:"state"` // online | offline
	Version string    `json:"version,omitempty"`
	Epoch   uint32    `json:"epoch"`
	LastSeq uint64    `json:"lastSeq"`
	At      time.Time `json:"at"`
}

// Status states.
const (
	StateOnline  = "online"
	StateOffline = "offline"
)

// DecodeStatus checks a status received on depot's status topic.
func DecodeStatus(topicDepot string, payload []byte) (Status, error) {
	var s Status
	if err := json.Unmarshal(payload, &s); err != nil {
		return s, reject("undecodable status: %v", err)
	}
	switch {
	case s.V != Version:
		return s, reject("status version %d, want %d", s.V, Version)
	case s.Depot != topicDepot:
		return s, reject("status of depot %q on depot %q's topic", s.Depot, topicDepot)
	case s.State != StateOnline && s.State != StateOffline:
		return s, reject("status state %q", s.State)
	}
	return s, nil
}
