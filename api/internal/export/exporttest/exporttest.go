// Package exporttest reads an export back for tests: a CSV with
// encoding/csv, an XLSX with excelize, both into the text CSV holds, so a
// test compares either with the JSON answer (or a screen) in one way.
package exporttest

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/partsedge/partsedge/api/internal/export"
)

// Read returns the header and rows of body, an export in format f of a
// table with columns cols. XLSX cells are turned into CSV's text by the
// column kinds: numbers as stored, serial dates into RFC 3339 UTC times
// (to the millisecond) or days, booleans into true/false. It fails tb when
// the file is not what the format says: a CSV without its BOM, an XLSX
// that does not open or has other than one sheet, or a date cell that
// holds no number.
func Read(tb testing.TB, f export.Format, body []byte, cols []export.Column) (header []string, rows [][]string) {
	tb.Helper()
	switch f {
	case export.CSV:
		b, ok := bytes.CutPrefix(body, []byte("\uFEFF"))
		if !ok {
			tb.Fatal("CSV without a UTF-8 byte-order mark")
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil || len(recs) == 0 {
			tb.Fatalf("read CSV: %v (%d records)", err, len(recs))
		}
		return recs[0], append([][]string{}, recs[1:]...)
	case export.XLSX:
		x, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			tb.Fatalf("open XLSX: %v", err)
		}
		defer x.Close()
		sheets := x.GetSheetList()
		if len(sheets) != 1 {
			tb.Fatalf("XLSX sheets %v, want one", sheets)
		}
		all, err := x.GetRows(sheets[0], excelize.Options{RawCellValue: true})
		if err != nil || len(all) == 0 {
			tb.Fatalf("read XLSX rows: %v (%d rows)", err, len(all))
		}
		rows = [][]string{}
		for _, r := range all[1:] {
			if len(r) > len(cols) {
				tb.Fatalf("XLSX row of %d cells, %d columns", len(r), len(cols))
			}
			r = append(r, make([]string, len(cols)-len(r))...)
			for i, v := range r {
				r[i] = text(tb, cols[i].Kind, v)
			}
			rows = append(rows, r)
		}
		return all[0], rows
	}
	tb.Fatalf("no reader for format %q", f)
	return nil, nil
}

func text(tb testing.TB, k export.Kind, v string) string {
	tb.Helper()
	if v == "" {
		return ""
	}
	switch k {
	case export.Time, export.Date:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			tb.Fatalf("a date cell holds %q", v)
		}
		t, err := excelize.ExcelDateToTime(n, false)
		if err != nil {
			tb.Fatalf("date cell %q: %v", v, err)
		}
		if k == export.Date {
			return t.Format(time.DateOnly)
		}
		return t.Round(time.Millisecond).Format(time.RFC3339Nano)
	case export.Bool:
		return strconv.FormatBool(v == "1")
	}
	return v
}
