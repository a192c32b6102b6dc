package replication

import (
	"encoding/json"

	"github.com/partsedge/partsedge/inventory"
)

// MaxBatchNotices bounds the notice records in one batch.
const MaxBatchNotices = 200

// Limits of one notice record on the wire, so a depot cannot make HQ store
// whatever it likes under a notice's name.
const (
	maxNoticeIDLen  = 4*inventory.MaxCodeLen + 32
	maxNoticeValues = 16
)

// NoticeBatch is what a depot publishes on its notices topic: the records
// From..To of its notice log (inventory.Notice), in seq order. HQ keeps
// each notice by its id, so a batch sent twice changes nothing.
type NoticeBatch struct {
	V       int                `json:"v"`
	Depot   string             `json:"depot"`
	From    uint64             `json:"from"`
	To      uint64             `json:"to"`
	Notices []inventory.Notice `json:"notices"`
}

// NoticeAck is what HQ publishes, retained, on a depot's notices/ack
// topic: every notice record up to Seq is durably stored at HQ.
type NoticeAck struct {
	V   int    `json:"v"`
	Seq uint64 `json:"seq"`
}

// DecodeNoticeBatch checks a batch received on depot's notices topic: the
// version, the depot, a contiguous From..To that is exactly its records,
// and each record: this depot's, in its place, with a kind, an id, a state
// (a cleared one says when) and bounded fields.
func DecodeNoticeBatch(topicDepot string, payload []byte) (NoticeBatch, error) {
	var b NoticeBatch
	if err := json.Unmarshal(payload, &b); err != nil {
		return b, reject("undecodable notice batch: %v", err)
	}
	switch {
	case b.V != Version:
		return b, reject("notice batch version %d, want %d", b.V, Version)
	case b.Depot != topicDepot:
		return b, reject("notice batch of depot %q on depot %q's topic", b.Depot, topicDepot)
	case len(b.Notices) > MaxBatchNotices:
		return b, reject("%d notices, at most %d", len(b.Notices), MaxBatchNotices)
	case b.From == 0 || b.To < b.From || b.To-b.From+1 != uint64(len(b.Notices)):
		return b, reject("notice range %d..%d holds %d notices", b.From, b.To, len(b.Notices))
	}
	for i, n := range b.Notices {
		if err := checkNotice(b.Depot, b.From+uint64(i), n); err != nil {
			return b, err
		}
	}
	return b, nil
}

func checkNotice(depot string, seq uint64, n inventory.Notice) error {
	// encoding/json has already made every string valid UTF-8.
	short := func(s string, limit int) bool { return len(s) <= limit }
	switch {
	case n.Seq != seq:
		return reject("notice %d where %d belongs", n.Seq, seq)
	case n.Depot != depot:
		return reject("notice %d of depot %q", n.Seq, n.Depot)
	case n.ID == "" || !short(n.ID, maxNoticeIDLen) || !short(n.Key, maxNoticeIDLen):
		return reject("notice %d: id %q", n.Seq, n.ID)
	case n.Kind == "" || !short(string(n.Kind), inventory.MaxCodeLen):
		return reject("notice %d: kind %q", n.Seq, n.Kind)
	case n.State != inventory.NoticeRaised && n.State != inventory.NoticeCleared:
		return reject("notice %d: state %q", n.Seq, n.State)
	case n.State == inventory.NoticeCleared && n.ClearedAt == nil:
		return reject("notice %d is cleared without a time", n.Seq)
	case n.RaisedAt.IsZero():
		return reject("notice %d without the time it was raised", n.Seq)
	case !short(n.Ref, inventory.MaxCodeLen) || !short(n.SKU, inventory.MaxCodeLen) || !short(n.Lot, inventory.MaxCodeLen):
		return reject("notice %d: ref, sku or lot too long", n.Seq)
	case !short(n.Text, inventory.MaxTextLen) || !short(n.Message, 2*inventory.MaxTextLen):
		return reject("notice %d: text too long", n.Seq)
	case len(n.Values) > maxNoticeValues:
		return reject("notice %d: %d values, at most %d", n.Seq, len(n.Values), maxNoticeValues)
	}
	for k, v := range n.Values {
		if !short(k, inventory.MaxCodeLen) || !short(v, inventory.MaxTextLen) {
			return reject("notice %d: value %q too long", n.Seq, k)
		}
	}
	return nil
}

// DecodeNoticeAck checks a notice ack.
func DecodeNoticeAck(payload []byte) (NoticeAck, error) {
	var a NoticeAck
	if err := json.Unmarshal(payload, &a); err != nil {
		return a, reject("undecodable notice ack: %v", err)
	}
	if a.V != Version {
		return a, reject("notice ack version %d, want %d", a.V, Version)
	}
	return a, nil
}
