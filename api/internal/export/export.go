// Package export writes a table (typed columns, rows read one at a time)
// as CSV or XLSX for the exports of both APIs. Column titles are English in
// the code and translated through api/internal/i18n for the request's
// language, like every other text a person reads.
//
// CSV is UTF-8 with a byte-order mark (without it Excel reads the file as
// the machine's ANSI code page and garbles Chinese), quoted per RFC 4180,
// and guarded against formula injection. XLSX is written with excelize's
// stream writer, so a million rows spill to a temporary file rather than
// into memory.
package export

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/partsedge/partsedge/api/internal/i18n"
)

// Format is how a list is answered: JSON (the default) or one of the two
// export formats.
type Format string

const (
	JSON Format = "json"
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// Media types of the export formats.
const (
	CSVMediaType  = "text/csv; charset=utf-8"
	XLSXMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// ErrFormat is what ParseFormat returns for a format it does not know.
var ErrFormat = errors.New("must be json, csv or xlsx")

// ParseFormat reads a ?format= value: empty or json is JSON; csv and xlsx
// are exports. Case matters, like every other query value of the APIs.
func ParseFormat(v string) (Format, error) {
	switch Format(v) {
	case "", JSON:
		return JSON, nil
	case CSV, XLSX:
		return Format(v), nil
	}
	return "", ErrFormat
}

// MediaType is the Content-Type of an export in f.
func (f Format) MediaType() string {
	if f == XLSX {
		return XLSXMediaType
	}
	return CSVMediaType
}

// Kind is the type of a column's cells.
type Kind int

const (
	// Text is a string. In CSV one that a spreadsheet would take for a
	// formula is prefixed with an apostrophe.
	Text Kind = iota
	// Int is a whole number: a quantity, a seq.
	Int
	// Float is a ratio (fill rate, turns).
	Float
	// Time is an instant, written in UTC.
	Time
	// Date is a calendar day.
	Date
	// Bool is a yes/no flag.
	Bool
)

// Column is one column: its English title and the kind of its cells.
type Column struct {
	Title string
	Kind  Kind
}

// Cell is one value. The zero Cell is empty, whatever the column's kind.
type Cell struct {
	kind Kind
	set  bool
	s    string
	i    int64
	f    float64
	t    time.Time
	b    bool
}

// S is a text cell; an empty string is an empty cell.
func S(s string) Cell { return Cell{kind: Text, set: s != "", s: s} }

// I is an integer cell.
func I(n int64) Cell { return Cell{kind: Int, set: true, i: n} }

// F is a number cell with a fraction.
func F(f float64) Cell { return Cell{kind: Float, set: true, f: f} }

// T is a time cell; the zero time is an empty cell.
func T(t time.Time) Cell { return Cell{kind: Time, set: !t.IsZero(), t: t.UTC()} }

// D is a date cell from a day (YYYY-MM-DD); empty or malformed is empty.
func D(day string) Cell {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return Cell{kind: Date}
	}
	return Cell{kind: Date, set: true, t: t}
}

// B is a yes/no cell.
func B(b bool) Cell { return Cell{kind: Bool, set: true, b: b} }

// Table is what an export writes: the columns, and Rows, which calls emit
// once per row in order and stops at the first error emit returns. Rows
// reads its source while the export is written, so a table of a million
// events never sits in memory whole.
type Table struct {
	// Sheet is the English name of the XLSX sheet.
	Sheet   string
	Columns []Column
	Rows    func(emit func(row []Cell) error) error
}

// Rows is a Table's row source over rows already in memory.
func Rows(rows [][]Cell) func(emit func([]Cell) error) error {
	return func(emit func([]Cell) error) error {
		for _, r := range rows {
			if err := emit(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// Titles are the English titles of cols, for the catalogue tests.
func Titles(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Title
	}
	return out
}

// Write writes t to w in f (CSV or XLSX) with titles in lang.
func Write(w io.Writer, f Format, lang i18n.Lang, t Table) error {
	switch f {
	case CSV:
		return WriteCSV(w, lang, t)
	case XLSX:
		return WriteXLSX(w, lang, t)
	}
	return fmt.Errorf("export: no writer for format %q", f)
}

// checkRow holds a row to its table: as many cells as columns, each of the
// column's kind or empty. A mismatch is a programming error in the caller,
// reported rather than written as a shifted row.
func checkRow(cols []Column, row []Cell) error {
	if len(row) != len(cols) {
		return fmt.Errorf("export: a row of %d cells in a table of %d columns", len(row), len(cols))
	}
	for i, c := range row {
		if c.set && c.kind != cols[i].Kind {
			return fmt.Errorf("export: column %q holds kind %d, got a cell of kind %d", cols[i].Title, cols[i].Kind, c.kind)
		}
	}
	return nil
}

// text is a cell as CSV writes it, and as the JSON answers show the value:
// integers in decimal, ratios in Go's shortest form, times RFC 3339 UTC.
func (c Cell) text() string {
	if !c.set {
		return ""
	}
	switch c.kind {
	case Int:
		return strconv.FormatInt(c.i, 10)
	case Float:
		return strconv.FormatFloat(c.f, 'f', -1, 64)
	case Time:
		return c.t.Format(time.RFC3339Nano)
	case Date:
		return c.t.Format(time.DateOnly)
	case Bool:
		return strconv.FormatBool(c.b)
	}
	return c.s
}

// Filename is an export's file name: the depot (or "HQ"), the export's
// name and the day, like DEMO-1-stock-2026-11-24.xlsx. Characters a file
// system or a header would trip on become '_'.
func Filename(owner, name string, day time.Time, f Format) string {
	base := owner + "-" + name + "-" + day.UTC().Format(time.DateOnly)
	return strings.Map(func(r rune) rune {
		switch {
		case r < 0x20, r == 0x7f, strings.ContainsRune(`/\:*?"<>|;%`, r):
			return '_'
		}
		return r
	}, base) + "." + string(f)
}

// ContentDisposition is the attachment header for name: RFC 6266 with
// filename* in UTF-8 (RFC 8187) and an ASCII filename for old clients.
func ContentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + pathEscape(name)
}

// pathEscape percent-encodes all but RFC 8187's attr-char.
func pathEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
