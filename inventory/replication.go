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
