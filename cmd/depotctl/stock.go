package main

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/partsedge/partsedge/inventory"
)

// serverStockLimit is how many rows depotd returns when no limit is asked.
const serverStockLimit = 1000

func (a *app) stock(name string, args []string) error {
	fs := a.newFlags(name, "[--sku S] [--location L] [--lot X] [--serial N] [--as-of SEQ] [--format table|json|csv]",
		"List stock balances: on hand, reserved and available per part, location, lot and serial.\n"+
			"--as-of shows them as they were just after event SEQ.")
	fs.connFlags()
	sku := fs.fs.String("sku", "", "only this part")
	loc := fs.fs.String("location", "", "only this location")
	lot := fs.fs.String("lot", "", "only this lot")
	serial := fs.fs.String("serial", "", "only this serial number")
	asOf := fs.fs.Uint64("as-of", 0, "balances just after this event `seq`")
	limit := fs.fs.Int("limit", 0, "at most this many rows (default: depotd's limit)")
	format := fs.addFormat("table", "json", "csv")
	if _, err := fs.parse(args, 0, 0); err != nil {
		return err
	}
	if *limit < 0 {
		return fs.usageError("--limit must not be negative")
	}
	c, err := a.client(defaultTimeout)
	if err != nil {
		return err
	}
	q := url.Values{}
	for k, v := range map[string]string{"sku": *sku, "location": *loc, "lot": *lot, "serial": *serial} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if *limit > 0 {
		q.Set("limit", strconv.Itoa(*limit))
	}
	if fs.isSet("as-of") {
		q.Set("asOf", strconv.FormatUint(*asOf, 10))
	}
	path := apiPath("stock")
	b, err := c.get(a.ctx, path, q)
	if err != nil {
		return err
	}
	page, err := decodeList(path, b)
	if err != nil {
		return err
	}
	rows, err := decodeItems[inventory.Balance](path, page.Items)
	if err != nil {
		return err
	}
	// The stock list has no further pages: say when it may have been cut.
	if *limit > 0 && len(rows) >= *limit || *limit == 0 && len(rows) >= serverStockLimit {
		fmt.Fprintf(a.stderr, "depotctl: showing the first %d rows: narrow the filter or raise --limit\n", len(rows))
	}
	switch *format {
	case "json":
		out := struct {
			Items []inventory.Balance `json:"items"`
			Seq   *uint64             `json:"seq,omitempty"`
		}{rows, page.Seq}
		return writeJSON(a.stdout, out)
	case "csv":
		return writeCSV(a.stdout, []string{"sku", "location", "lot", "serial", "onHand", "reserved", "available"},
			[]bool{false, false, false, false, true, true, true}, balanceCells(rows))
	}
	t := &table{
		head:  []string{"SKU", "LOCATION", "LOT", "SERIAL", "ON HAND", "RESERVED", "AVAILABLE"},
		right: []bool{false, false, false, false, true, true, true},
		rows:  balanceCells(rows),
	}
	if err := t.write(a.stdout); err != nil {
		return err
	}
	if len(rows) == 0 {
		fmt.Fprintln(a.stderr, "depotctl: no stock matches")
	}
	return nil
}

func balanceCells(rows []inventory.Balance) [][]string {
	out := make([][]string, len(rows))
	for i, b := range rows {
		out[i] = []string{b.SKU, b.Location, b.Lot, b.Serial,
			strconv.FormatInt(b.OnHand, 10), strconv.FormatInt(b.Reserved, 10), strconv.FormatInt(b.Available, 10)}
	}
	return out
}
