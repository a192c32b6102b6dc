package station

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/partsedge/partsedge/devices/epc"
	"github.com/partsedge/partsedge/devices/gs1"
)

// Kind says what a scanned code identifies.
type Kind string

const (
	// KindItem is a trade item: a GTIN, perhaps with lot, expiry, serial
	// and quantity (GS1 barcodes, SGTIN tags).
	KindItem Kind = "item"
	// KindShipment is a logistic unit: an SSCC on a pallet label, an ASN
	// line or a transfer's shipping label.
	KindShipment Kind = "shipment"
	// KindDocument is a label the depot printed for one of its documents
	// (purchase order, work order, transfer, count).
	KindDocument Kind = "document"
	// KindCode is any other text: a supplier part number, an old label,
	// a bin label. The depot resolves it against its catalogue.
	KindCode Kind = "code"
	// KindAsset is an asset tag (GIAI, GRAI): a returnable crate, a tool.
	KindAsset Kind = "asset"
)

// Identity is what one scan or one tag says, before the depot decides what
// it means.
type Identity struct {
	Kind   Kind   `json:"kind"`
	GTIN   string `json:"gtin,omitempty"`
	Lot    string `json:"lot,omitempty"`
	Expiry string `json:"expiry,omitempty"` // YYYY-MM-DD
	Serial string `json:"serial,omitempty"`
	// Qty is the count a GS1 code carries (AI 30 or 37); 0 means one.
	Qty  int64  `json:"qty,omitempty"`
	SSCC string `json:"sscc,omitempty"`
	// Code is the text of a code or document label, or the asset id.
	Code string `json:"code,omitempty"`
	// Doc is the document type of a document label (PO, WO, TR, CNT).
	Doc string `json:"doc,omitempty"`
	EPC string `json:"epc,omitempty"` // the tag's pure identity URI
}

// ErrUnreadable is the cause of a scan that is neither valid GS1 data nor
// text a depot can look up.
var ErrUnreadable = errors.New("the code could not be read")

// docPrefixes are the document labels the depot prints: the document type,
// a colon, and the document's number ("PO:4500012345"). The colon keeps
// them apart from part numbers that happen to start with the same letters.
var docPrefixes = [...]string{"PO", "WO", "TR", "CNT", "ASN"}

// FromScan turns what a scanner read into an identity. now resolves GS1
// dates (day 00, two-digit years). A GS1 symbology with data that is not
// valid GS1 is an error: a damaged or mis-encoded label must not be
// guessed at.
func FromScan(aimID, data string, now time.Time) (Identity, error) {
	if data == "" {
		return Identity{}, ErrUnreadable
	}
	res, err := gs1.ParseScan(aimID, data)
	if err == nil {
		return fromGS1(res, now), nil
	}
	var ge *gs1.Error
	if !errors.As(err, &ge) || ge.Code != gs1.CodeNotGS1 {
		if aimID == "" && !looksGS1(data) {
			return fromText(data), nil // plain text from a scanner without AIM ids
		}
		return Identity{}, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	return fromText(strings.TrimPrefix(data, aimID)), nil
}

// looksGS1 says whether data without an AIM id was meant as a GS1 element
// string: all digits up to a GS, or bracketed AIs.
func looksGS1(data string) bool {
	if strings.HasPrefix(data, "(") || strings.ContainsRune(data, gs1.GS) {
		return true
	}
	return len(data) >= 16 && strings.Trim(data, "0123456789") == ""
}

func fromText(s string) Identity {
	s = strings.TrimSpace(s)
	for _, p := range docPrefixes {
		if rest, ok := strings.CutPrefix(s, p+":"); ok && rest != "" {
			return Identity{Kind: KindDocument, Doc: p, Code: rest}
		}
	}
	return Identity{Kind: KindCode, Code: s}
}

func fromGS1(r gs1.Result, now time.Time) Identity {
	id := Identity{Kind: KindCode}
	if sscc, ok := r.SSCC(); ok {
		id.Kind, id.SSCC = KindShipment, sscc
	}
	if g, ok := r.GTIN(); ok {
		id.Kind, id.GTIN = KindItem, g
	} else if g, ok := r.Get("02"); ok { // contained trade items on a logistic unit
		id.GTIN = g
	}
	id.Lot, _ = r.Lot()
	id.Serial, _ = r.Serial()
	if t, ok := r.Date("17", now); ok {
		id.Expiry = t.Format(time.DateOnly)
	}
	for _, ai := range []string{"30", "37"} {
		if v, ok := r.Get(ai); ok {
			id.Qty = atoi(v)
		}
	}
	if v, ok := r.Get("8004"); ok && id.Kind == KindCode {
		id.Kind, id.Code = KindAsset, v
	}
	if id.Kind == KindCode && len(r.Elements) > 0 {
		id.Code = gs1.HRI(r.Elements)
	}
	return id
}

func atoi(s string) int64 {
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' || n > 1e12 {
			return 0
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

// FromEPC turns a tag's EPC (hex, as readers report it) into an identity.
func FromEPC(hexEPC string) (Identity, error) {
	t, err := epc.Decode(hexEPC)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	id := Identity{EPC: t.PureURI()}
	switch {
	case t.GTIN() != "":
		id.Kind, id.GTIN, id.Serial = KindItem, t.GTIN(), t.Serial
	case t.SSCC() != "":
		id.Kind, id.SSCC = KindShipment, t.SSCC()
	default:
		id.Kind, id.Code = KindAsset, t.PureURI()
	}
	return id, nil
}
