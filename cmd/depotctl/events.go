package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/partsedge/partsedge/inventory"
)

func (a *app) events(name string, args []string) error {
	fs := a.newFlags(name, "[--after SEQ] [--limit N] [--format table|json] [SEQ]",
		"Read the event log in seq order, following depotd's pages to the end (or --limit).\n"+
			"--format json prints one event per line (JSON Lines). With SEQ, show that one event.")
	fs.connFlags()
	after := fs.fs.Uint64("after", 0, "start after this `seq`")
	limit := fs.fs.Int("limit", 0, "at most this many events (default: all)")
	format := fs.addFormat("table", "json")
	pos, err := fs.parse(args, 0, 1)
	if err != nil {
		return err
	}
	if *limit < 0 {
		return fs.usageError("--limit must not be negative")
	}
	var one uint64
	if len(pos) == 1 {
		if one, err = strconv.ParseUint(pos[0], 10, 64); err != nil || one == 0 {
			return fs.usageError("SEQ must be a positive integer, not %q", pos[0])
		}
	}
	c, err := a.client(defaultTimeout)
	if err != nil {
		return err
	}
	if len(pos) == 1 {
		return a.oneEvent(c, one, *format)
	}
	t := &streamTable{table: table{head: eventHead(), right: []bool{true}}}
	n := 0
	cursor := *after
	for {
		pageLimit := 1000
		if *limit > 0 {
			pageLimit = min(pageLimit, *limit-n)
		}
		q := url.Values{"limit": {strconv.Itoa(pageLimit)}}
		if cursor > 0 {
			q.Set("after", strconv.FormatUint(cursor, 10))
		}
		path := apiPath("events")
		b, err := c.get(a.ctx, path, q)
		if err != nil {
			return err
		}
		page, err := decodeList(path, b)
		if err != nil {
			return err
		}
		evs, err := decodeItems[inventory.Event](path, page.Items)
		if err != nil {
			return err
		}
		if len(evs) > pageLimit {
			evs, page.Items = evs[:pageLimit], page.Items[:pageLimit]
		}
		for i, ev := range evs {
			if ev.Seq <= cursor {
				return fmt.Errorf("depotd's event pages do not advance: event %d after %d", ev.Seq, cursor)
			}
			cursor = ev.Seq
			if *format == "json" {
				if err := writeJSONLine(a.stdout, page.Items[i]); err != nil {
					return err
				}
				continue
			}
			t.add(eventCells(&ev)...)
		}
		n += len(evs)
		// "next" names a further page; a bare array ends with an empty one.
		// The cursor is the last seq seen, whatever form "next" takes.
		end := len(evs) == 0 || (!page.Bare && !page.HasNext) || (*limit > 0 && n >= *limit)
		// The table is printed in blocks of rows, aligned within each block.
		if *format == "table" && (end || len(t.rows) >= 1000) {
			if err := t.flush(a.stdout); err != nil {
				return err
			}
		}
		if end {
			return nil
		}
	}
}

func (a *app) oneEvent(c *client, seq uint64, format string) error {
	path := apiPath("events", strconv.FormatUint(seq, 10))
	raw, err := c.get(a.ctx, path, nil)
	if err != nil {
		return err
	}
	if format == "json" {
		return writeRawJSON(a.stdout, raw)
	}
	var ev inventory.Event
	if err := decodeAnswer(path, raw, &ev); err != nil {
		return err
	}
	return writeEvent(a, &ev)
}

// writeEvent prints one event: its summary row, then its lines.
func writeEvent(a *app, ev *inventory.Event) error {
	t := &table{head: eventHead(), right: []bool{true}}
	t.add(eventCells(ev)...)
	if err := t.write(a.stdout); err != nil {
		return err
	}
	if len(ev.Lines) == 0 {
		return nil
	}
	lt := &table{head: []string{"SKU", "QTY", "FROM", "TO", "LOCATION", "LOT", "EXPIRY", "SERIALS", "CONDITION", "RESERVED"},
		right: []bool{false, true}}
	for _, l := range ev.Lines {
		res := ""
		if l.FromReserved {
			res = "yes"
		}
		lt.add(l.SKU, strconv.FormatInt(l.Qty, 10), l.From, l.To, l.Location, l.Lot, l.Expiry,
			strings.Join(l.Serials, " "), l.Condition, res)
	}
	lt.dropEmptyColumns()
	fmt.Fprintln(a.stdout)
	return lt.write(a.stdout)
}

func eventHead() []string { return []string{"SEQ", "TIME", "TYPE", "ACTOR", "REF", "DETAIL"} }

func eventCells(ev *inventory.Event) []string {
	return []string{strconv.FormatUint(ev.Seq, 10), fmtTime(ev.At), string(ev.Type), ev.Actor, ev.Ref, eventDetail(ev)}
}

// eventDetail says in a few words what an event did.
func eventDetail(ev *inventory.Event) string {
	switch {
	case ev.Part != nil:
		return fmt.Sprintf("part %s (%s, %s)", ev.Part.SKU, ev.Part.Tracking, ev.Part.Unit)
	case ev.Location != nil:
		return fmt.Sprintf("location %s (%s)", ev.Location.Code, ev.Location.Kind)
	}
	parts := make([]string, len(ev.Lines))
	for i, l := range ev.Lines {
		var b strings.Builder
		b.WriteString(l.SKU)
		if l.Lot != "" {
			b.WriteString(" lot " + l.Lot)
		}
		fmt.Fprintf(&b, " %d", l.Qty)
		switch {
		case len(l.Serials) > 0 && len(l.Serials) <= 3:
			b.WriteString(" [" + strings.Join(l.Serials, " ") + "]")
		case len(l.Serials) > 3:
			fmt.Fprintf(&b, " [%d serials]", len(l.Serials))
		}
		switch {
		case l.Location != "":
			b.WriteString(" @" + l.Location)
		case l.From != "" || l.To != "":
			b.WriteString(" " + l.From + "->" + l.To)
		}
		if l.FromReserved {
			b.WriteString(" reserved")
		}
		if l.Condition != "" {
			b.WriteString(" " + l.Condition)
		}
		parts[i] = b.String()
	}
	return strings.Join(parts, "; ")
}
