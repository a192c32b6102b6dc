package depot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"unicode/utf8"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
)

// CommandStore is what applying HQ's commands needs from the ledger;
// *inventory.Store satisfies it.
type CommandStore interface {
	Append(ctx context.Context, cmd inventory.Command) (inventory.Result, error)
	CommandCursor() (uint64, error)
	RecentCommandOutcomes() ([]inventory.CommandOutcome, error)
	SetCommandCursor(seq uint64, outcomes ...inventory.CommandOutcome) error
}

var _ CommandStore = (*inventory.Store)(nil)

// CommandStats count what became of HQ's command batches since start.
type CommandStats struct {
	// Cursor is the last command applied (or refused for good).
	Cursor     uint64 `json:"cursor"`
	Applied    uint64 `json:"applied"`
	Refused    uint64 `json:"refused"`
	Duplicates uint64 `json:"duplicates"`
	Gaps       uint64 `json:"gaps"`
	Rejected   uint64 `json:"rejected"`
	// Failures are commands the store could not take for a reason of its
	// own (closing, a disk error): nothing moved, HQ sends them again.
	Failures uint64 `json:"failures"`
}

// commander applies HQ's command batches to the store, one at a time in
// arrival order, and says how far it got. Paho's handler only queues the
// payload (it must not block); the applier goroutine does the rest.
type commander struct {
	store CommandStore
	depot string
	log   *slog.Logger
	inbox chan []byte
	// reack asks for the current ack to be published again (on connect:
	// the last one may not have reached the broker before a restart).
	reack chan struct{}

	// Owned by the applier goroutine.
	cursor uint64
	recent []inventory.CommandOutcome

	mu sync.Mutex
	st CommandStats
}

func newCommander(store CommandStore, depot string, log *slog.Logger) (*commander, error) {
	cursor, err := store.CommandCursor()
	if err != nil {
		return nil, err
	}
	recent, err := store.RecentCommandOutcomes()
	if err != nil {
		return nil, err
	}
	c := &commander{store: store, depot: depot, log: log, inbox: make(chan []byte, 64),
		reack: make(chan struct{}, 1), cursor: cursor, recent: recent}
	c.st.Cursor = cursor
	return c, nil
}

// offer queues a payload from paho's router without blocking: when 64
// batches wait already, HQ's ack timeout sends this one again.
func (c *commander) offer(payload []byte) {
	select {
	case c.inbox <- payload:
	default:
		c.log.Warn("replication: command batch dropped, the applier is behind; HQ resends it")
	}
}

// run applies batches until ctx ends, publishing each ack with publish.
func (c *commander) run(ctx context.Context, publish func(replication.CommandAck)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.reack:
			publish(c.ack())
		case payload := <-c.inbox:
			if a, ok := c.handle(ctx, payload); ok {
				publish(a)
			}
		}
	}
}

// handle applies one batch: the commands after the cursor, when the batch
// reaches it. It returns the ack to publish; ok is false when there is
// nothing to say (a rejected batch, or a gap HQ fills by resending).
func (c *commander) handle(ctx context.Context, payload []byte) (replication.CommandAck, bool) {
	b, err := replication.DecodeCommandBatch(c.depot, payload)
	if err != nil {
		c.count(func(s *CommandStats) { s.Rejected++ })
		c.log.Warn("replication: command batch rejected", "err", err)
		return replication.CommandAck{}, false
	}
	switch {
	case b.To <= c.cursor:
		c.count(func(s *CommandStats) { s.Duplicates++ })
		return c.ack(), true
	case b.From > c.cursor+1:
		c.count(func(s *CommandStats) { s.Gaps++ })
		return replication.CommandAck{}, false
	}
	for _, e := range b.Commands[c.cursor+1-b.From:] {
		out, err := c.apply(ctx, e)
		if err != nil {
			c.count(func(s *CommandStats) { s.Failures++ })
			c.log.Warn("replication: command not applied; HQ sends it again", "seq", e.Seq, "err", err)
			break
		}
		// The cursor is written per command: a refusal is then never
		// judged twice, and a crash before this write replays the append.
		if err := c.store.SetCommandCursor(e.Seq, out); err != nil {
			c.count(func(s *CommandStats) { s.Failures++ })
			c.log.Warn("replication: command cursor not written; HQ sends the command again", "seq", e.Seq, "err", err)
			break
		}
		c.cursor = e.Seq
		c.recent = append(c.recent, out)
		if n := len(c.recent); n > replication.MaxAckResults {
			c.recent = append([]inventory.CommandOutcome(nil), c.recent[n-replication.MaxAckResults:]...)
		}
		c.count(func(s *CommandStats) {
			s.Cursor = e.Seq
			if out.Code != "" {
				s.Refused++
			} else {
				s.Applied++
			}
		})
	}
	return c.ack(), true
}

// apply appends one command as HQ's actor with the command's idempotency
// key. A refusal by the depot's rules is an outcome; any other error is
// not, and leaves the command to be sent again.
func (c *commander) apply(ctx context.Context, e replication.CommandEntry) (inventory.CommandOutcome, error) {
	cmd := e.Command
	cmd.Actor = replication.DepotActor(e.Actor)
	cmd.IdempotencyKey = replication.CommandIdempotencyKey(e.Seq)
	res, err := c.store.Append(ctx, cmd)
	var refusal *inventory.Error
	switch {
	case err == nil:
		return inventory.CommandOutcome{Seq: e.Seq, Event: res.Event.Seq}, nil
	case errors.As(err, &refusal) && refusal.Code != inventory.CodeClosed:
		c.log.Info("replication: command refused", "seq", e.Seq, "type", cmd.Type, "code", refusal.Code, "err", err)
		return inventory.CommandOutcome{Seq: e.Seq, Code: refusal.Code, Detail: clip(refusal.Error(), inventory.MaxTextLen)}, nil
	}
	return inventory.CommandOutcome{}, fmt.Errorf("apply command %d: %w", e.Seq, err)
}

// ack says how far the depot is, with the outcomes it remembers.
func (c *commander) ack() replication.CommandAck {
	a := replication.CommandAck{V: replication.Version, Seq: c.cursor, Results: make([]replication.CommandResult, 0, len(c.recent))}
	for _, o := range c.recent {
		if o.Seq > c.cursor {
			continue // cannot happen: outcomes are kept with the cursor that passed them
		}
		a.Results = append(a.Results, replication.CommandResult{Seq: o.Seq, Event: o.Event, Code: string(o.Code), Detail: o.Detail})
	}
	return a
}

func (c *commander) count(fn func(*CommandStats)) {
	c.mu.Lock()
	fn(&c.st)
	c.mu.Unlock()
}

func (c *commander) stats() CommandStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st
}

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// CommandStats returns the counts of HQ's commands; the zero value when
// the publisher applies none (its store takes no commands).
func (p *Publisher) CommandStats() CommandStats {
	if p.cmds == nil {
		return CommandStats{}
	}
	return p.cmds.stats()
}

// publishCommandAck publishes the ack retained, QoS 1, without waiting: a
// lost ack makes HQ resend, and the duplicate is acknowledged again.
func (p *Publisher) publishCommandAck(a replication.CommandAck) {
	b, err := json.Marshal(a)
	if err != nil {
		p.log.Error("replication: encode the command ack", "err", err)
		return
	}
	p.client.Publish(p.topicCmdAck, 1, true, b)
}
