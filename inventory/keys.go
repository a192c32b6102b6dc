package inventory

import (
	"bytes"
	"encoding/binary"
)

// The key space. One byte of prefix per table; the parts of a composite key
// are joined by 0x00, which checkCode keeps out of every code.
const (
	pMeta     = 'm' // m<name>                        -> meta values (head, depot)
	pEvent    = 'e' // e<seq:8 BE>                    -> Event JSON
	pBalance  = 'b' // b<sku>0<loc>0<lot>0<serial>    -> onHand, reserved (varints)
	pByLoc    = 'B' // B<loc>0<sku>0<lot>0<serial>    -> (empty) index for stock by location
	pSerial   = 's' // s<sku>0<serial>                -> loc 0 lot: where a serial is now
	pSerHist  = 'h' // h<sku>0<serial>0<seq:8 BE>     -> (empty) the events that touched a serial
	pPart     = 'p' // p<sku>                         -> Part JSON
	pAlias    = 'a' // a<code>                        -> sku: GTINs and aliases
	pLocation = 'l' // l<code>                        -> Location JSON
	pLot      = 't' // t<sku>0<lot>                   -> Lot JSON
	pIdem     = 'i' // i<actor>0<key>                 -> idempotency record
	pUser     = 'u' // u<name>                        -> User JSON
	pToken    = 'k' // k<sha256(token)>               -> user name
	pPO       = 'o' // o<number>                      -> PurchaseOrderState JSON (derived from the log)
	pASN      = 'n' // n<number>                      -> NoticeState JSON (derived from the log)
	pSSCC     = 'N' // N<sscc>                        -> the shipping notice announcing the pallet
	pTransfer = 'x' // x<number>                      -> TransferState JSON (derived from the log)
	pWO       = 'w' // w<number>                      -> WorkOrderState JSON (derived from the log)
	pHold     = 'W' // W<sku>0<loc>0<lot>0<serial>    -> varint: what open work orders hold of the row
	pRTS      = 'd' // d<number>                      -> SupplierReturnState JSON (derived from the log)
	pReorder  = 'r' // r p 0 <sku> -> ReorderState; r g 0 <seq:8 BE> -> SignalRecord (reorder.go)
	// Count sessions (derived from the log): c<number> -> CountState JSON,
	// c<number>0b0<bin> -> CountBinState JSON, c<number>0s0<sku>0<serial> -> bin.
	pCount = 'c'
)

var (
	keyHead  = []byte{pMeta, 'h', 'e', 'a', 'd'}
	keyDepot = []byte{pMeta, 'd', 'e', 'p', 'o', 't'}
)

func join(prefix byte, parts ...string) []byte {
	n := 1
	for _, p := range parts {
		n += len(p) + 1
	}
	k := make([]byte, 0, n)
	k = append(k, prefix)
	for i, p := range parts {
		if i > 0 {
			k = append(k, 0)
		}
		k = append(k, p...)
	}
	return k
}

func split(k []byte) []string {
	fs := bytes.Split(k[1:], []byte{0})
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f)
	}
	return out
}

func eventKey(seq uint64) []byte {
	k := make([]byte, 9)
	k[0] = pEvent
	binary.BigEndian.PutUint64(k[1:], seq)
	return k
}

// balKey identifies one balance row.
type balKey struct{ SKU, Loc, Lot, Serial string }

func (b balKey) key() []byte        { return join(pBalance, b.SKU, b.Loc, b.Lot, b.Serial) }
func (b balKey) locKey() []byte     { return join(pByLoc, b.Loc, b.SKU, b.Lot, b.Serial) }
func balKeyFrom(k []byte) balKey    { f := split(k); return balKey{f[0], f[1], f[2], f[3]} }
func balKeyFromLoc(k []byte) balKey { f := split(k); return balKey{f[1], f[0], f[2], f[3]} }

func serialKey(sku, serial string) []byte { return join(pSerial, sku, serial) }

func serialHistKey(sku, serial string, seq uint64) []byte {
	k := join(pSerHist, sku, serial)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, seq)
}

type qty struct{ OnHand, Reserved int64 }

func (q qty) encode() []byte {
	b := make([]byte, 0, 2*binary.MaxVarintLen64)
	b = binary.AppendVarint(b, q.OnHand)
	return binary.AppendVarint(b, q.Reserved)
}

func decodeQty(b []byte) (qty, bool) {
	on, n := binary.Varint(b)
	if n <= 0 {
		return qty{}, false
	}
	res, m := binary.Varint(b[n:])
	if m <= 0 || n+m != len(b) {
		return qty{}, false
	}
	return qty{on, res}, true
}

// prefixEnd returns the smallest key greater than every key with prefix p.
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
