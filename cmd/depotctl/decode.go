package main

import (
	"errors"
	"strings"
	"time"

	"github.com/partsedge/partsedge/devices/epc"
	"github.com/partsedge/partsedge/devices/gs1"
)

// decoded is what "depotctl decode" prints: one JSON object. Scripts rely
// on its shape (DESIGN.md, CLI contract): GS1 data as {"ai","value"} entries,
// plus the identity fields a depot looks parts up by.
type decoded struct {
	Kind      string        `json:"kind"` // gs1, or text for a non-GS1 symbology
	AIMID     string        `json:"aimId,omitempty"`
	Symbology string        `json:"symbology,omitempty"`
	Elements  []gs1.Element `json:"elements,omitempty"`
	HRI       string        `json:"hri,omitempty"`
	GTIN      string        `json:"gtin,omitempty"`
	Lot       string        `json:"lot,omitempty"`
	Serial    string        `json:"serial,omitempty"`
	Expiry    string        `json:"expiry,omitempty"`
	SSCC      string        `json:"sscc,omitempty"`
	Data      string        `json:"data,omitempty"` // text: the data as read
}

func (a *app) decode(name string, args []string) error {
	fs := a.newFlags(name, "[--aim ID] DATA",
		"Decode what a barcode scanner read. DATA is a GS1 element string as the scanner sends it\n"+
			"(an AIM symbology identifier such as ]C1 or ]d2 may lead it; group separators as the\n"+
			"GS byte, or typed as <GS> or \\x1d), the bracketed human form (01)...(10)..., or a\n"+
			"GS1 Digital Link URI. --aim gives the AIM identifier when the scanner reports it apart.\n"+
			"Prints one JSON object; input that is not valid GS1 exits 2 with the reason.")
	aim := fs.fs.String("aim", "", "the AIM symbology `ID` (]C1, ]d2, ]Q3, ]e0, ]E0 ...)")
	pos, err := fs.parse(args, 1, 1)
	if err != nil {
		return err
	}
	data := typedSeparators(pos[0])
	var r gs1.Result
	switch {
	case strings.HasPrefix(data, "("):
		r, err = gs1.ParseHRI(data)
	case strings.HasPrefix(data, "http://") || strings.HasPrefix(data, "https://"):
		r, err = gs1.ParseDigitalLink(data)
	default:
		r, err = gs1.ParseScan(*aim, data)
	}
	var ge *gs1.Error
	if errors.As(err, &ge) && ge.Code == "not_gs1" {
		// A valid barcode of a symbology without GS1 data: a supplier part
		// number or a document label, which the depot resolves as text.
		return writeJSON(a.stdout, decoded{Kind: "text", AIMID: r.AIMID, Symbology: r.Symbology, Data: strings.TrimPrefix(data, r.AIMID)})
	}
	if err != nil {
		return badInput("decode: %v", err)
	}
	out := decoded{Kind: "gs1", AIMID: r.AIMID, Symbology: r.Symbology, Elements: r.Elements, HRI: gs1.HRI(r.Elements)}
	out.GTIN, _ = r.GTIN()
	out.Lot, _ = r.Lot()
	out.Serial, _ = r.Serial()
	out.SSCC, _ = r.SSCC()
	if exp, ok := r.Expiry(); ok {
		out.Expiry = exp.Format(time.DateOnly)
	}
	return writeJSON(a.stdout, out)
}

// typedSeparators turns the ways a person types a group separator on a
// command line into the GS byte a scanner sends.
func typedSeparators(s string) string {
	return strings.NewReplacer("<GS>", "\x1d", `\x1d`, "\x1d", `\x1D`, "\x1d").Replace(s)
}

func (a *app) epc(name string, args []string) error {
	fs := a.newFlags(name, "HEX|URI",
		"Decode an EPC: the binary EPC as hex (as an RFID reader reports it), an EPC tag URI\n"+
			"(urn:epc:tag:sgtin-96:...) or a pure identity URI (urn:epc:id:sgtin:...). Prints one\n"+
			"JSON object with the scheme, filter, URIs and the GS1 keys as {\"ai\",\"value\"} entries;\n"+
			"input that is not a valid EPC exits 2 with the reason.")
	pos, err := fs.parse(args, 1, 1)
	if err != nil {
		return err
	}
	var t epc.Tag
	if strings.HasPrefix(strings.ToLower(pos[0]), "urn:epc:") {
		t, err = epc.ParseURI(pos[0])
	} else {
		t, err = epc.Decode(pos[0])
	}
	if err != nil {
		return badInput("%v", err)
	}
	return writeJSON(a.stdout, t)
}
