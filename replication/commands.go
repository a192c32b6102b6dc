package replication

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/partsedge/partsedge/inventory"
)

// Commands HQ -> depot follow the rules of events depot -> HQ, the other
// way round: HQ numbers each depot's commands with its own gapless seq and
// keeps them in its outbox; the depot applies only the exact continuation
// of its durable cursor, re-acknowledges a duplicate and ignores a gap, and
// acknowledges (retained) the last command it is done with. A command is
// done when it appended its event or when the depot's rules refused it with
// a stable code: a refusal is an answer for the planner, never retried.

// MaxBatchCommands bounds the commands in one batch; MaxCommandBatchBytes
// the encoded commands of a batch HQ builds (one command is sent alone
// even when it is bigger: a transfer's manifest may be).
const (
	MaxBatchCommands     = 64
	MaxCommandBatchBytes = 256 << 10
)

// MaxAckResults bounds the results one command ack carries; HQ keeps at
// most this many commands in flight per depot, so none of their results
// can fall out of the depot's list before HQ has read it.
const MaxAckResults = inventory.MaxCommandOutcomes

// MaxActorLen bounds the HQ user a command names; the depot prefixes it
// with HQActor + "." and the result must be an inventory code.
const MaxActorLen = inventory.MaxCodeLen - len(HQActor) - 1

// HQActor is the actor of every command HQ sends at the depot: alone for
// what HQ does itself (a transfer's approval), with ".<user>" for what a
// planner asked for, so the depot's audit shows who it was.
const HQActor = "hq"

// DepotActor is the actor a command of HQ user actor appends as.
func DepotActor(actor string) string {
	if actor == "" {
		return HQActor
	}
	return HQActor + "." + actor
}

// CommandIdempotencyKey is the idempotency key of HQ's command seq at the
// depot: a command applied before a crash replays instead of appending
// twice.
func CommandIdempotencyKey(seq uint64) string { return "hq-command-" + strconv.FormatUint(seq, 10) }

// CommandTypes are the types HQ may send. Stock moves are the depot's own
// business; HQ sends catalogue, locations, policies and transfer orders.
var CommandTypes = []inventory.EventType{
	inventory.EvPartDefined,
	inventory.EvLocationDefined,
	inventory.EvReorderPolicySet,
	inventory.EvTransferRequested,
	inventory.EvTransferApproved,
	inventory.EvTransferAnnounced,
	inventory.EvTransferClosed,
}

// CommandAllowed reports whether HQ may send a command of type t.
func CommandAllowed(t inventory.EventType) bool {
	for _, c := range CommandTypes {
		if c == t {
			return true
		}
	}
	return false
}

// ValidActor checks an HQ user name a command carries: empty (HQ itself)
// or a code that still is one once prefixed.
func ValidActor(actor string) error {
	if actor == "" {
		return nil
	}
	if len(actor) > MaxActorLen {
		return errors.New("actor is longer than " + strconv.Itoa(MaxActorLen) + " bytes")
	}
	if !utf8.ValidString(actor) {
		return errors.New("actor is not valid UTF-8")
	}
	for _, r := range actor {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return errors.New("actor holds a space or control character")
		}
	}
	return nil
}

// CommandEntry is one command of a batch: HQ's seq, the HQ document it
// belongs to (Ref, e.g. a transfer order's number), the HQ user who asked
// (empty: HQ itself), when HQ queued it and the command itself.
type CommandEntry struct {
	Seq     uint64            `json:"seq"`
	Ref     string            `json:"ref,omitempty"`
	Actor   string            `json:"actor,omitempty"`
	At      time.Time         `json:"at"`
	Command inventory.Command `json:"command"`
}

// CommandBatch is what HQ publishes on a depot's commands topic: the
// depot's commands from..to in seq order.
type CommandBatch struct {
	V        int            `json:"v"`
	Depot    string         `json:"depot"`
	From     uint64         `json:"from"`
	To       uint64         `json:"to"`
	Commands []CommandEntry `json:"commands"`
}

// decodeStrict decodes exactly one JSON value into v, refusing unknown
// fields and anything after the value: a payload HQ did not write this way
// is not trusted to mean what it seems to.
func decodeStrict(payload []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

// DecodeCommandBatch checks a batch received on depot's commands topic:
// the version, the depot, a contiguous from..to with each entry at its
// seq, and only the command types HQ may send, each with an actor the
// depot can name. What the depot's rules say of a command is the depot's
// answer, not a reason to refuse the batch.
func DecodeCommandBatch(topicDepot string, payload []byte) (CommandBatch, error) {
	var b CommandBatch
	if err := decodeStrict(payload, &b); err != nil {
		return b, reject("undecodable command batch: %v", err)
	}
	switch {
	case b.V != Version:
		return b, reject("version %d, want %d", b.V, Version)
	case b.Depot != topicDepot:
		return b, reject("command batch of depot %q on depot %q's topic", b.Depot, topicDepot)
	case b.From == 0 || b.To < b.From:
		return b, reject("range %d..%d", b.From, b.To)
	case len(b.Commands) > MaxBatchCommands:
		return b, reject("%d commands, at most %d", len(b.Commands), MaxBatchCommands)
	case b.To-b.From+1 != uint64(len(b.Commands)):
		return b, reject("range %d..%d holds %d commands", b.From, b.To, len(b.Commands))
	}
	for i, c := range b.Commands {
		seq := b.From + uint64(i)
		switch {
		case c.Seq != seq:
			return b, reject("command %d where %d belongs", c.Seq, seq)
		case !CommandAllowed(c.Command.Type):
			return b, reject("command %d: HQ may not send %q", c.Seq, c.Command.Type)
		case c.At.IsZero():
			return b, reject("command %d has no time", c.Seq)
		}
		if err := ValidActor(c.Actor); err != nil {
			return b, reject("command %d: %v", c.Seq, err)
		}
		if c.Ref != "" && (len(c.Ref) > inventory.MaxCodeLen || !utf8.ValidString(c.Ref) || strings.TrimSpace(c.Ref) != c.Ref) {
			return b, reject("command %d: ref %q", c.Seq, c.Ref)
		}
	}
	return b, nil
}

// CommandResult is what became of one command at the depot: Event is the
// depot's seq of the event it appended; Code a refusal's stable code, with
// the depot's message in Detail.
type CommandResult struct {
	Seq    uint64 `json:"seq"`
	Event  uint64 `json:"event,omitempty"`
	Code   string `json:"code,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// CommandAck is what a depot publishes, retained, on its commands/ack
// topic: every command up to Seq is done, and Results are the outcomes of
// the most recent ones (at most MaxAckResults, each at or below Seq).
type CommandAck struct {
	V       int             `json:"v"`
	Seq     uint64          `json:"seq"`
	Results []CommandResult `json:"results"`
}

// DecodeCommandAck checks a command ack: the version, results in rising
// seq order, none beyond Seq, each either an event or a refusal.
func DecodeCommandAck(payload []byte) (CommandAck, error) {
	var a CommandAck
	if err := decodeStrict(payload, &a); err != nil {
		return a, reject("undecodable command ack: %v", err)
	}
	if a.V != Version {
		return a, reject("command ack version %d, want %d", a.V, Version)
	}
	if len(a.Results) > MaxAckResults {
		return a, reject("%d results, at most %d", len(a.Results), MaxAckResults)
	}
	var last uint64
	for _, r := range a.Results {
		switch {
		case r.Seq == 0 || r.Seq > a.Seq:
			return a, reject("result of command %d in an ack up to %d", r.Seq, a.Seq)
		case r.Seq <= last:
			return a, reject("result of command %d after %d", r.Seq, last)
		case (r.Event == 0) == (r.Code == ""):
			return a, reject("result of command %d must name an event or a refusal", r.Seq)
		case len(r.Code) > inventory.MaxCodeLen || len(r.Detail) > inventory.MaxTextLen:
			return a, reject("result of command %d is too long", r.Seq)
		case !utf8.ValidString(r.Code) || !utf8.ValidString(r.Detail):
			return a, reject("result of command %d is not valid UTF-8", r.Seq)
		}
		last = r.Seq
	}
	return a, nil
}
