package export

import (
	"bufio"
	"encoding/csv"
	"io"

	"github.com/partsedge/partsedge/api/internal/i18n"
)

// bom is UTF-8's byte-order mark: Excel reads a CSV as UTF-8 only with it.
const bom = "\uFEFF"

// WriteCSV writes t as CSV: the BOM, the translated titles, then each row,
// CRLF-terminated and quoted where RFC 4180 requires.
func WriteCSV(w io.Writer, lang i18n.Lang, t Table) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(bom); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	cat := i18n.Default()
	rec := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		rec[i] = guard(cat.T(lang, c.Title))
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	err := t.Rows(func(row []Cell) error {
		if err := checkRow(t.Columns, row); err != nil {
			return err
		}
		for i, c := range row {
			rec[i] = c.text()
			if c.kind == Text {
				rec[i] = guard(rec[i])
			}
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// guard keeps a spreadsheet from running text as a formula (CSV
// injection, OWASP): text that starts with = + - @, a tab or a carriage
// return gets a leading apostrophe, which the spreadsheet shows as text.
// Numbers are never guarded, so a negative variance stays a number.
func guard(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
