package hq

import (
	"github.com/dgraph-io/badger/v4"

	"github.com/partsedge/partsedge/inventory"
)

// derive updates, in the transaction that applies a depot's events, what
// HQ derives from them: the global view (project) and the commands the
// events make HQ send to other depots (relay). Being in the same
// transaction as the events and the HWM, a crash can neither apply an
// event without its consequences nor repeat them on the resend.
func (h *HQ) derive(txn *badger.Txn, depot string, evs []inventory.Event) error {
	if err := h.project(txn, depot, evs); err != nil {
		return err
	}
	return h.relay(txn, depot, evs)
}

// underive takes events a restored depot's higher epoch superseded (highest
// seq first) back out of the global view. Commands they caused are not
// recalled: the depots that received them act on them as on any order.
func (h *HQ) underive(txn *badger.Txn, depot string, gone []inventory.Event) error {
	return h.unproject(txn, depot, gone)
}
