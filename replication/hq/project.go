package hq

import (
	"github.com/dgraph-io/badger/v4"

	"github.com/partsedge/partsedge/inventory"
)

// project adds applied events to the global view.
func (h *HQ) project(txn *badger.Txn, depot string, evs []inventory.Event) error { return nil }

// unproject takes superseded events (highest seq first) out of it.
func (h *HQ) unproject(txn *badger.Txn, depot string, gone []inventory.Event) error { return nil }
