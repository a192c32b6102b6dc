package hq

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
)

// HQ's outbox of commands to the depots. Each depot has its own gapless
// command seq; a command is stored with its state in the same transaction
// that decides it (an order, or the applied events it is relayed from),
// and stays pending until the depot's command ack says it is done. The
// Subscriber publishes what is pending (mqtt.go); the store is the record.
//
//	A<depot>                       outbox head (JSON): last seq queued, last acked
//	C<depot>\x00<seq:8>            CommandState (JSON)
const (
	prefixOutbox  = 'A'
	prefixCommand = 'C'
)

func outboxKey(depot string) []byte { return append([]byte{prefixOutbox}, depot...) }

func commandPrefix(depot string) []byte {
	return append(append([]byte{prefixCommand}, depot...), 0)
}

func commandKey(depot string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(commandPrefix(depot), seq)
}

// outboxHead is where a depot's commands stand: Last queued, Acked by the
// depot (everything up to it is done there).
type outboxHead struct {
	Last  uint64 `json:"last"`
	Acked uint64 `json:"acked"`
}

// Command states.
const (
	CommandPending = "pending" // queued, not yet done at the depot
	CommandApplied = "applied" // the depot appended its event
	CommandRefused = "refused" // the depot's rules refused it: final, shown to the planner
	// CommandDone: the depot is past it but its outcome was not reported
	// (more commands went by than an ack carries results for).
	CommandDone = "done"
)

// CommandState is one command of HQ's outbox and what became of it.
type CommandState struct {
	Depot   string            `json:"depot"`
	Seq     uint64            `json:"seq"`
	Ref     string            `json:"ref,omitempty"`
	Actor   string            `json:"actor,omitempty"`
	At      time.Time         `json:"at"`
	Command inventory.Command `json:"command"`
	State   string            `json:"state"`
	// Event is the depot's seq of the event the command appended.
	Event uint64 `json:"event,omitempty"`
	// Code and Detail are the depot's refusal.
	Code   inventory.Code `json:"code,omitempty"`
	Detail string         `json:"detail,omitempty"`
	DoneAt time.Time      `json:"doneAt,omitzero"`
}

// MaxCommands bounds one Commands answer.
const MaxCommands = 1000

// maxConflictRetries bounds how often a transaction that lost a race on an
// outbox head (two writers queueing for one depot) is run again.
const maxConflictRetries = 20

// update runs fn in a transaction, again when Badger reports a conflict:
// fn must be safe to run more than once (it reads everything it needs).
func (h *HQ) update(fn func(txn *badger.Txn) error) error {
	for i := 0; ; i++ {
		err := h.db.Update(fn)
		if !errors.Is(err, badger.ErrConflict) || i == maxConflictRetries {
			return err
		}
	}
}

// checkCommands refuses what HQ must never queue: a depot id no topic can
// carry, an actor the depot cannot name, a type HQ may not send.
func checkCommands(depot, ref, actor string, cmds []inventory.Command) error {
	if err := checkDepotID("depot", depot); err != nil {
		return err
	}
	if err := checkActor("actor", actor); err != nil {
		return err
	}
	if len(ref) > inventory.MaxCodeLen {
		return invalid("ref", "is longer than %d bytes", inventory.MaxCodeLen)
	}
	if len(cmds) == 0 {
		return invalid("commands", "none given")
	}
	for i, c := range cmds {
		if !replication.CommandAllowed(c.Type) {
			return invalid(fmt.Sprintf("commands[%d].type", i), "HQ does not send %q to depots", c.Type)
		}
	}
	return nil
}

// enqueue queues cmds for depot in txn, numbered on from the depot's last
// command, and returns their seqs. Callers check them first (checkCommands).
func (h *HQ) enqueue(txn *badger.Txn, depot, ref, actor string, cmds []inventory.Command) ([]uint64, error) {
	var head outboxHead
	if _, err := getJSON(txn, outboxKey(depot), &head); err != nil {
		return nil, err
	}
	at := h.now().UTC()
	seqs := make([]uint64, len(cmds))
	for i, c := range cmds {
		head.Last++
		c.Actor, c.IdempotencyKey = "", ""
		st := CommandState{Depot: depot, Seq: head.Last, Ref: ref, Actor: actor, At: at, Command: c, State: CommandPending}
		if err := setJSON(txn, commandKey(depot, head.Last), st); err != nil {
			return nil, err
		}
		seqs[i] = head.Last
	}
	if err := setJSON(txn, outboxKey(depot), head); err != nil {
		return nil, err
	}
	return seqs, nil
}

// SendCommands queues cmds for depot, as HQ user actor (empty: HQ itself)
// for HQ's document ref, and returns their seqs. They go out as soon as
// the depot is connected and are sent again until it has them.
func (h *HQ) SendCommands(depot, ref, actor string, cmds []inventory.Command) ([]uint64, error) {
	if err := checkCommands(depot, ref, actor, cmds); err != nil {
		return nil, err
	}
	var seqs []uint64
	err := h.update(func(txn *badger.Txn) error {
		var err error
		seqs, err = h.enqueue(txn, depot, ref, actor, cmds)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("queue commands for %s: %w", depot, err)
	}
	return seqs, nil
}

// Commands returns up to limit of depot's commands after seq after, with
// their state.
func (h *HQ) Commands(depot string, after uint64, limit int) ([]CommandState, error) {
	if limit <= 0 || limit > MaxCommands {
		limit = MaxCommands
	}
	out := []CommandState{}
	err := h.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: commandPrefix(depot), PrefetchValues: true, PrefetchSize: min(limit, 100)})
		defer it.Close()
		for it.Seek(commandKey(depot, after+1)); it.Valid() && len(out) < limit; it.Next() {
			var st CommandState
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &st) }); err != nil {
				return fmt.Errorf("command %q: %w", it.Item().Key(), err)
			}
			out = append(out, st)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read commands of %s: %w", depot, err)
	}
	return out, nil
}

// command reads one command's state.
func command(txn *badger.Txn, depot string, seq uint64) (CommandState, error) {
	var st CommandState
	ok, err := getJSON(txn, commandKey(depot, seq), &st)
	if err == nil && !ok {
		err = fmt.Errorf("command %s/%d is missing", depot, seq)
	}
	return st, err
}

// outboxHeads reads every depot's outbox head.
func (h *HQ) outboxHeads() (map[string]outboxHead, error) {
	out := map[string]outboxHead{}
	err := h.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixOutbox}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var head outboxHead
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &head) }); err != nil {
				return fmt.Errorf("outbox head %q: %w", it.Item().Key(), err)
			}
			out[string(it.Item().Key()[1:])] = head
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read outbox heads: %w", err)
	}
	return out, nil
}

// commandBatch builds depot's batch from seq from: up to max commands, and
// no more bytes than replication.MaxCommandBatchBytes unless a single
// command is bigger on its own. It returns nil when there is none.
func (h *HQ) commandBatch(depot string, from, to uint64) ([]byte, uint64, error) {
	b := replication.CommandBatch{V: replication.Version, Depot: depot, From: from}
	size := 0
	err := h.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: commandPrefix(depot), PrefetchValues: true})
		defer it.Close()
		for it.Seek(commandKey(depot, from)); it.Valid(); it.Next() {
			seq := binary.BigEndian.Uint64(it.Item().Key()[len(commandPrefix(depot)):])
			if seq > to || len(b.Commands) == replication.MaxBatchCommands {
				return nil
			}
			if seq != from+uint64(len(b.Commands)) {
				return fmt.Errorf("command %s/%d is missing", depot, from+uint64(len(b.Commands)))
			}
			var st CommandState
			if err := it.Item().Value(func(v []byte) error {
				size += len(v)
				return json.Unmarshal(v, &st)
			}); err != nil {
				return fmt.Errorf("command %s/%d: %w", depot, seq, err)
			}
			if len(b.Commands) > 0 && size > replication.MaxCommandBatchBytes {
				return nil
			}
			b.Commands = append(b.Commands, replication.CommandEntry{Seq: st.Seq, Ref: st.Ref, Actor: st.Actor, At: st.At, Command: st.Command})
		}
		return nil
	})
	if err != nil || len(b.Commands) == 0 {
		return nil, 0, err
	}
	b.To = from + uint64(len(b.Commands)) - 1
	payload, err := json.Marshal(b)
	if err != nil {
		return nil, 0, fmt.Errorf("encode command batch: %w", err)
	}
	return payload, b.To, nil
}

// ReasonCommandAck labels a command ack HQ refused.
const ReasonCommandAck = "command-ack"

// HandleCommandAck takes one payload received on depot's commands/ack
// topic and records, durably, what the depot says it has done. It returns
// the ack; ok is false when there was none (a cleared retained message).
// An ack below what HQ recorded is returned all the same: a depot restored
// from a backup is behind, and HQ sends again from where it is.
func (h *HQ) HandleCommandAck(depot string, payload []byte) (replication.CommandAck, bool, error) {
	if len(payload) == 0 {
		return replication.CommandAck{}, false, nil
	}
	a, err := replication.DecodeCommandAck(payload)
	if err != nil {
		h.count(depot, func(c *Counters) { c.Rejected[ReasonCommandAck]++ })
		return a, false, fmt.Errorf("command ack of %s: %w", depot, err)
	}
	err = h.update(func(txn *badger.Txn) error {
		var head outboxHead
		if _, err := getJSON(txn, outboxKey(depot), &head); err != nil {
			return err
		}
		if a.Seq > head.Last {
			return fmt.Errorf("%w: %s acknowledges command %d, HQ queued up to %d", replication.ErrRejected, depot, a.Seq, head.Last)
		}
		now := h.now().UTC()
		reported := map[uint64]bool{}
		for _, r := range a.Results {
			reported[r.Seq] = true
			st, err := command(txn, depot, r.Seq)
			if err != nil {
				return err
			}
			state, code := CommandApplied, inventory.Code(r.Code)
			if code != "" {
				state = CommandRefused
			}
			if st.State == state && st.Event == r.Event && st.Code == code {
				continue // recorded from an earlier ack: every ack repeats the recent outcomes
			}
			// A changed outcome is the depot's word on a command it applied
			// again (restored from a backup that predates it).
			st.State, st.Event, st.Code, st.Detail, st.DoneAt = state, r.Event, code, r.Detail, now
			if err := setJSON(txn, commandKey(depot, r.Seq), st); err != nil {
				return err
			}
		}
		if a.Seq <= head.Acked {
			return nil
		}
		for seq := head.Acked + 1; seq <= a.Seq; seq++ {
			if reported[seq] {
				continue
			}
			st, err := command(txn, depot, seq)
			if err != nil {
				return err
			}
			if st.State == CommandPending {
				st.State, st.DoneAt = CommandDone, now
				if err := setJSON(txn, commandKey(depot, seq), st); err != nil {
					return err
				}
			}
		}
		head.Acked = a.Seq
		return setJSON(txn, outboxKey(depot), head)
	})
	if errors.Is(err, replication.ErrRejected) {
		h.count(depot, func(c *Counters) { c.Rejected[ReasonCommandAck]++ })
	}
	if err != nil {
		return a, false, fmt.Errorf("record command ack of %s: %w", depot, err)
	}
	return a, true, nil
}
