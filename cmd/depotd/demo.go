package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/partsedge/partsedge/inventory"
)

// The demo is a regional depot of an appliance and HVAC service network:
// split air conditioners, heat pumps and washing machines. Every command
// carries a fixed idempotency key, so seeding again (after an interrupted
// first run, or on every start with --demo) replays instead of writing.
const (
	demoKeyPrefix = "demo-"
	demoActor     = adminUser
)

func demoLocations() []inventory.Location {
	locs := []inventory.Location{}
	for i, d := range []string{"compressors", "control boards", "motors and bearings", "filters", "electrical", "washer parts"} {
		locs = append(locs, inventory.Location{Code: fmt.Sprintf("A-%02d", i+1), Kind: inventory.KindStock, Zone: "A",
			Description: "Aisle A shelf " + fmt.Sprint(i+1) + ": " + d})
	}
	for i, d := range []string{"refrigerant and oil cage", "cable drums", "overflow"} {
		locs = append(locs, inventory.Location{Code: fmt.Sprintf("B-%02d", i+1), Kind: inventory.KindStock, Zone: "B",
			Description: "Bulk bay B " + fmt.Sprint(i+1) + ": " + d})
	}
	return append(locs,
		inventory.Location{Code: "QUAR-01", Kind: inventory.KindQuarantine, Description: "Goods-in inspection"},
		inventory.Location{Code: "DEF-01", Kind: inventory.KindDefective, Description: "Failed and old parts awaiting return to supplier"},
		inventory.Location{Code: "VAN-07", Kind: inventory.KindVan, Description: "Engineer van 07 (K. Wagner)"},
		inventory.Location{Code: "TR-HQ-0012", Kind: inventory.KindTransit, Description: "Transfer TO-2026-0012 to the central warehouse"},
	)
}

// demoParts are the catalogue. GTIN-13s use a made-up company prefix with
// correct check digits.
func demoParts() []inventory.Part {
	p := func(sku, desc, unit string, tr inventory.Tracking, gtin string, aliases ...string) inventory.Part {
		return inventory.Part{SKU: sku, Description: desc, Unit: unit, Tracking: tr, GTINs: []string{gtin}, Aliases: aliases}
	}
	const none, lot, serial = inventory.TrackNone, inventory.TrackLot, inventory.TrackSerial
	parts := []inventory.Part{
		p("CMP-R32-24K", "Rotary inverter compressor R32 24k BTU", "ea", serial, "4012345000016", "GMCC-KTN240D42UFZ"),
		p("CMP-R410A-12K", "Rotary compressor R410A 12k BTU", "ea", serial, "4012345000023", "HGH-ASN98D22UFZ"),
		p("PCB-IDU-100", "Indoor unit main control board rev. A", "ea", serial, "4012345000030"),
		p("PCB-IDU-110", "Indoor unit main control board rev. B", "ea", serial, "4012345000047"),
		p("PCB-ODU-220", "Outdoor unit inverter drive board", "ea", serial, "4012345000054"),
		p("FLT-HEPA-H13", "HEPA H13 filter 300x250 mm", "ea", none, "4012345000061"),
		p("FLT-PRE-G4", "G4 washable pre-filter mesh", "ea", none, "4012345000078"),
		p("BRG-6203-2RS", "Deep groove ball bearing 6203-2RS (drum, front)", "ea", none, "4012345000085", "SKF-6203-2RSH", "FAG-6203-2RSR"),
		p("BRG-6205-2RS", "Deep groove ball bearing 6205-2RS (drum, rear)", "ea", none, "4012345000092", "SKF-6205-2RSH"),
		p("SEAL-35-62-10", "Drum shaft seal 35x62x10/12", "ea", none, "4012345000108"),
		p("REF-R32", "Refrigerant R32, charged by volume", "ml", lot, "4012345000115"),
		p("REF-R410A", "Refrigerant R410A, charged by volume", "ml", lot, "4012345000122"),
		p("OIL-POE-32", "POE compressor oil ISO VG 32", "ml", lot, "4012345000139"),
		p("CBL-H05VVF-3G15", "Power cable H05VV-F 3G1.5, cut to length", "mm", none, "4012345000146"),
		p("CBL-SIG-4X075", "Indoor/outdoor interconnect cable 4x0.75, cut to length", "mm", none, "4012345000153"),
		p("CAP-RUN-35UF", "Motor run capacitor 35 uF 450 V", "ea", none, "4012345000160", "EPCOS-B32322-35"),
		p("MTR-FAN-ODU-60W", "Outdoor fan motor 60 W", "ea", serial, "4012345000177"),
		p("SEN-NTC-10K", "NTC thermistor 10 kOhm, coil sensor", "ea", none, "4012345000184"),
		p("VLV-EEV-18", "Electronic expansion valve 1.8 mm orifice", "ea", none, "4012345000191"),
		p("PMP-DRN-30W", "Washing machine drain pump 30 W", "ea", none, "4012345000207"),
		p("GSK-DOOR-WM", "Washing machine door gasket", "ea", none, "4012345000214"),
		p("SIL-RTV-HT", "High-temperature RTV silicone, 85 ml tube", "ea", lot, "4012345000221"),
	}
	for i := range parts {
		switch parts[i].SKU {
		case "PCB-IDU-100":
			// Spare parts get replaced by newer numbers; the old board is
			// still on the shelf and is being sent back.
			parts[i].SupersededBy = "PCB-IDU-110"
		case "OIL-POE-32":
			parts[i].ShelfLifeDays = 730
		case "SIL-RTV-HT":
			parts[i].ShelfLifeDays = 540
		}
	}
	return parts
}

func serials(prefix string, from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%05d", prefix, from+i)
	}
	return out
}

// demoEvents is a few weeks of a depot's life: deliveries through goods-in,
// put-away, van stock, a compressor job with its old part returned, a
// stocktake correction, scrap, and a superseded board shipped back.
func demoEvents() []inventory.Command {
	type L = inventory.Line
	cmp := serials("GM24-2406-", 117, 3)
	idu := serials("IDU110-4F2C", 1, 4)
	return []inventory.Command{
		{Type: inventory.EvReceipt, Ref: "PO-2026-0041", Note: "Delivery note DN-778812", Lines: []L{
			{SKU: "CMP-R32-24K", Qty: 3, To: "QUAR-01", Serials: cmp},
			{SKU: "PCB-IDU-110", Qty: 4, To: "QUAR-01", Serials: idu},
			{SKU: "BRG-6203-2RS", Qty: 40, To: "QUAR-01"},
			{SKU: "BRG-6205-2RS", Qty: 30, To: "QUAR-01"},
			{SKU: "SEAL-35-62-10", Qty: 20, To: "QUAR-01"},
		}},
		{Type: inventory.EvMove, Ref: "PO-2026-0041", Note: "Inspected, put away", Lines: []L{
			{SKU: "CMP-R32-24K", Qty: 3, From: "QUAR-01", To: "A-01", Serials: cmp},
			{SKU: "PCB-IDU-110", Qty: 4, From: "QUAR-01", To: "A-02", Serials: idu},
			{SKU: "BRG-6203-2RS", Qty: 40, From: "QUAR-01", To: "A-03"},
			{SKU: "BRG-6205-2RS", Qty: 30, From: "QUAR-01", To: "A-03"},
			{SKU: "SEAL-35-62-10", Qty: 20, From: "QUAR-01", To: "A-06"},
		}},
		{Type: inventory.EvReceipt, Ref: "PO-2026-0042", Lines: []L{
			{SKU: "FLT-HEPA-H13", Qty: 24, To: "A-04"},
			{SKU: "FLT-PRE-G4", Qty: 60, To: "A-04"},
			{SKU: "CAP-RUN-35UF", Qty: 15, To: "A-05"},
			{SKU: "SEN-NTC-10K", Qty: 25, To: "A-05"},
			{SKU: "VLV-EEV-18", Qty: 8, To: "A-05"},
			{SKU: "PMP-DRN-30W", Qty: 6, To: "A-06"},
			{SKU: "GSK-DOOR-WM", Qty: 5, To: "A-06"},
		}},
		{Type: inventory.EvReceipt, Ref: "PO-2026-0043", Note: "Refrigerant by cylinder weight, converted to ml", Lines: []L{
			{SKU: "REF-R32", Qty: 9000, To: "B-01", Lot: "R32-24-118", Expiry: "2029-05-31"},
			{SKU: "REF-R410A", Qty: 11300, To: "B-01", Lot: "R410-24-077", Expiry: "2028-11-30"},
			{SKU: "OIL-POE-32", Qty: 4000, To: "B-01", Lot: "POE-2501", Expiry: "2027-06-30"},
			{SKU: "SIL-RTV-HT", Qty: 12, To: "A-06", Lot: "RTV-2412"},
			{SKU: "CBL-H05VVF-3G15", Qty: 100_000, To: "B-02"},
			{SKU: "CBL-SIG-4X075", Qty: 50_000, To: "B-02"},
		}},
		{Type: inventory.EvReceipt, Ref: "PO-2026-0044", Lines: []L{
			{SKU: "CMP-R410A-12K", Qty: 2, To: "A-01", Serials: serials("HGH12-2501-", 40, 2)},
			{SKU: "PCB-ODU-220", Qty: 2, To: "A-02", Serials: serials("ODU220-9A", 310, 2)},
			{SKU: "PCB-IDU-100", Qty: 1, To: "A-02", Serials: []string{"IDU100-3C1B00207"}},
			{SKU: "MTR-FAN-ODU-60W", Qty: 3, To: "A-03", Serials: serials("FM60-", 8801, 3)},
		}},
		{Type: inventory.EvMove, Ref: "VAN-07-REFILL", Note: "Weekly van stock", Lines: []L{
			{SKU: "FLT-HEPA-H13", Qty: 4, From: "A-04", To: "VAN-07"},
			{SKU: "CAP-RUN-35UF", Qty: 3, From: "A-05", To: "VAN-07"},
			{SKU: "SEN-NTC-10K", Qty: 5, From: "A-05", To: "VAN-07"},
			{SKU: "CBL-H05VVF-3G15", Qty: 10_000, From: "B-02", To: "VAN-07"},
			{SKU: "REF-R32", Qty: 2000, From: "B-01", To: "VAN-07", Lot: "R32-24-118"},
		}},
		{Type: inventory.EvReserve, Ref: "WO-2026-1187", Note: "Compressor replacement, customer 40-22817", Lines: []L{
			{SKU: "CMP-R32-24K", Qty: 1, Location: "A-01", Serials: cmp[:1]},
		}},
		{Type: inventory.EvIssue, Ref: "WO-2026-1187", Lines: []L{
			{SKU: "CMP-R32-24K", Qty: 1, From: "A-01", Serials: cmp[:1], FromReserved: true},
			{SKU: "REF-R32", Qty: 1200, From: "B-01", Lot: "R32-24-118"},
			{SKU: "OIL-POE-32", Qty: 150, From: "B-01", Lot: "POE-2501"},
		}},
		{Type: inventory.EvReturn, Ref: "WO-2026-1187", Note: "Failed compressor (winding short), warranty claim", Lines: []L{
			{SKU: "CMP-R32-24K", Qty: 1, To: "DEF-01", Serials: []string{"GM24-2203-00871"}, Condition: inventory.ConditionDefective},
		}},
		{Type: inventory.EvIssue, Ref: "WO-2026-1190", Lines: []L{
			{SKU: "CAP-RUN-35UF", Qty: 1, From: "VAN-07"},
			{SKU: "SEN-NTC-10K", Qty: 2, From: "VAN-07"},
		}},
		{Type: inventory.EvReturn, Ref: "WO-2026-1190", Note: "One sensor not needed", Lines: []L{
			{SKU: "SEN-NTC-10K", Qty: 1, To: "VAN-07", Condition: inventory.ConditionGood},
		}},
		{Type: inventory.EvCountAdjustment, Ref: "CNT-2026-A", Note: "Cycle count zone A", Lines: []L{
			{SKU: "BRG-6203-2RS", Qty: -2, Location: "A-03"},
		}},
		{Type: inventory.EvScrap, Note: "Torn in handling", Lines: []L{
			{SKU: "FLT-PRE-G4", Qty: 2, From: "A-04"},
		}},
		{Type: inventory.EvTransferShipped, Ref: "TO-2026-0012", Note: "Superseded board back to the central warehouse", Lines: []L{
			{SKU: "PCB-IDU-100", Qty: 1, From: "A-02", To: "TR-HQ-0012", Serials: []string{"IDU100-3C1B00207"}},
		}},
	}
}

// demoCommands is everything the demo appends, each with its key.
func demoCommands() []inventory.Command {
	var cmds []inventory.Command
	for _, l := range demoLocations() {
		cmds = append(cmds, inventory.Command{Type: inventory.EvLocationDefined, Location: &l,
			IdempotencyKey: demoKeyPrefix + "location-" + l.Code})
	}
	for _, p := range demoParts() {
		cmds = append(cmds, inventory.Command{Type: inventory.EvPartDefined, Part: &p,
			IdempotencyKey: demoKeyPrefix + "part-" + p.SKU})
	}
	for i, c := range demoEvents() {
		c.IdempotencyKey = fmt.Sprintf("%sevent-%02d", demoKeyPrefix, i+1)
		cmds = append(cmds, c)
	}
	for i := range cmds {
		cmds[i].Actor = demoActor
	}
	return cmds
}

// seedDemo appends the demo into an empty store, or finishes (and replays)
// a demo seeded before. A store whose log starts with anything else is left
// alone: the demo never mixes into real data.
func seedDemo(ctx context.Context, st *inventory.Store, log *slog.Logger) error {
	if st.Head().Seq > 0 {
		first, err := st.Event(1)
		if err != nil {
			return fmt.Errorf("read the first event: %w", err)
		}
		if !strings.HasPrefix(first.IdempotencyKey, demoKeyPrefix) || first.Actor != demoActor {
			log.Warn("not seeding demo data: the store already holds other data")
			return nil
		}
	}
	written := 0
	for _, c := range demoCommands() {
		res, err := st.Append(ctx, c)
		if err != nil {
			return fmt.Errorf("%s %s: %w", c.Type, c.IdempotencyKey, err)
		}
		if !res.Replayed {
			written++
		}
	}
	log.Info("demo data in place", "written", written, "seq", st.Head().Seq)
	return nil
}
