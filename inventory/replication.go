package inventory

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// keyReplAck holds the last event acknowledged by HQ. It lives under the
// meta prefix, outside the log: it is the publisher's bookmark, not part of
// the ledger, so verify and the hash chain never see it.
var keyReplAck = []byte{pMeta, 'r', 'e', 'p', 'l', '-', 'a', 'c', 'k'}

// ReplicationAck is the bookmark of the depot's replication to HQ: every
// event of Epoch up to Seq is durably applied at HQ.
type ReplicationAck struct {
	Epoch uint32 `json:"epoch"`
	Seq   uint64 `json:"seq"`
}

// ReplicationAck returns the last acknowledgement remembered by
// SetReplicationAck; the zero value when none was.
func (s *Store) ReplicationAck() (ReplicationAck, error) {
	var a ReplicationAck
	if _, err := s.viewJSON(keyReplAck, &a); err != nil {
		return a, fmt.Errorf("read the replication ack: %w", err)
	}
	return a, nil
}

// SetReplicationAck remembers HQ's acknowledgement so a restarted publisher
// resumes after it instead of resending the whole log. It may lag behind
// HQ: a resend is always safe, it only costs time.
func (s *Store) SetReplicationAck(a ReplicationAck) error {
	select {
	case <-s.closing:
		return ErrClosed
	default:
	}
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode the replication ack: %w", err)
	}
	err = s.db.Update(func(txn *badger.Txn) error { return txn.Set(keyReplAck, b) })
	if errors.Is(err, badger.ErrDBClosed) {
		return ErrClosed
	}
	if err != nil {
		return fmt.Errorf("write the replication ack: %w", err)
	}
	return nil
}

// keyCmdCursor holds the depot's command cursor: the last command from HQ
// it applied (or refused for good), with the outcomes of the most recent
// ones. Like the replication ack it is a bookmark under the meta prefix,
// outside the log.
var keyCmdCursor = []byte{pMeta, 'c', 'm', 'd', '-', 'c', 'u', 'r', 's', 'o', 'r'}

// MaxCommandOutcomes bounds the outcomes the cursor keeps. HQ never has
// more commands in flight than this, so an outcome it missed (its ack was
// overwritten, or the depot restarted before it went out) is still there
// when the depot acknowledges again.
const MaxCommandOutcomes = 256

// CommandOutcome is what became of one command from HQ: Event is the event
// it appended (or replayed), Code a refusal's stable code.
type CommandOutcome struct {
	Seq    uint64 `json:"seq"`
	Event  uint64 `json:"event,omitempty"`
	Code   Code   `json:"code,omitempty"`
	Detail string `json:"detail,omitempty"`
}

type commandCursor struct {
	Seq    uint64           `json:"seq"`
	Recent []CommandOutcome `json:"recent,omitempty"`
}

func (s *Store) commandCursor() (commandCursor, error) {
	var c commandCursor
	if _, err := s.viewJSON(keyCmdCursor, &c); err != nil {
		return c, fmt.Errorf("read the command cursor: %w", err)
	}
	return c, nil
}

// CommandCursor returns the seq of the last command from HQ this depot
// applied; 0 before the first.
func (s *Store) CommandCursor() (uint64, error) {
	c, err := s.commandCursor()
	return c.Seq, err
}

// RecentCommandOutcomes returns the outcomes remembered with the cursor,
// oldest first.
func (s *Store) RecentCommandOutcomes() ([]CommandOutcome, error) {
	c, err := s.commandCursor()
	return c.Recent, err
}

// SetCommandCursor moves the command cursor to seq and adds the outcomes
// of the commands that got it there (the oldest beyond MaxCommandOutcomes
// are forgotten). The cursor never moves back: two appliers of one store
// would otherwise apply a command twice.
func (s *Store) SetCommandCursor(seq uint64, outcomes ...CommandOutcome) error {
	select {
	case <-s.closing:
		return ErrClosed
	default:
	}
	err := s.db.Update(func(txn *badger.Txn) error {
		var c commandCursor
		item, err := txn.Get(keyCmdCursor)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
		case err != nil:
			return err
		default:
			if err := item.Value(func(v []byte) error { return json.Unmarshal(v, &c) }); err != nil {
				return fmt.Errorf("decode the command cursor: %w", err)
			}
		}
		if seq < c.Seq {
			return fmt.Errorf("command cursor at %d cannot move back to %d", c.Seq, seq)
		}
		c.Seq = seq
		c.Recent = append(c.Recent, outcomes...)
		if n := len(c.Recent); n > MaxCommandOutcomes {
			c.Recent = append([]CommandOutcome(nil), c.Recent[n-MaxCommandOutcomes:]...)
		}
		b, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("encode the command cursor: %w", err)
		}
		return txn.Set(keyCmdCursor, b)
	})
	if errors.Is(err, badger.ErrDBClosed) {
		return ErrClosed
	}
	if err != nil {
		return fmt.Errorf("write the command cursor: %w", err)
	}
	return nil
}
