package main

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/partsedge/partsedge/inventory"
)

func (a *app) serial(name string, args []string) error {
	fs := a.newFlags(name, "SKU SERIAL [--format table|json]",
		"Show where a serial number has been: every event that moved it, oldest first, and where it is now.")
	fs.connFlags()
	format := fs.addFormat("table", "json")
	pos, err := fs.parse(args, 2, 2)
	if err != nil {
		return err
	}
	c, err := a.client(defaultTimeout)
	if err != nil {
		return err
	}
	path := apiPath("serials", pos[0], pos[1])
	raw, err := c.get(a.ctx, path, nil)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeRawJSON(a.stdout, raw)
	}
	var h inventory.SerialHistory
	if err := decodeAnswer(path, raw, &h); err != nil {
		return err
	}
	where := "has left the depot"
	if h.Location != "" {
		where = "is in " + h.Location
	}
	if h.Lot != "" {
		where += " (lot " + h.Lot + ")"
	}
	fmt.Fprintf(a.stdout, "%s serial %s %s\n\n", h.SKU, h.Serial, where)
	t := &table{head: []string{"SEQ", "TIME", "TYPE", "REF", "FROM", "TO", "ACTOR"}, right: []bool{true}}
	for i := range h.Events {
		ev := &h.Events[i]
		from, to := serialMove(ev, h.SKU, h.Serial)
		t.add(strconv.FormatUint(ev.Seq, 10), fmtTime(ev.At), string(ev.Type), ev.Ref, from, to, ev.Actor)
	}
	return t.write(a.stdout)
}

// serialMove says where an event took the serial from and to. Events that
// hold it in place (reserve, unreserve) show its location on both sides; a
// count adjustment finds it (to) or loses it (from).
func serialMove(ev *inventory.Event, sku, serial string) (from, to string) {
	for _, l := range ev.Lines {
		if l.SKU != sku || !slices.Contains(l.Serials, serial) {
			continue
		}
		switch {
		case l.Location == "":
			return l.From, l.To
		case ev.Type == inventory.EvCountAdjustment && l.Qty > 0:
			return "", l.Location
		case ev.Type == inventory.EvCountAdjustment:
			return l.Location, ""
		default:
			return l.Location, l.Location
		}
	}
	return "", ""
}
