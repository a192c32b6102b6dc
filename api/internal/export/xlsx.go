package export

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/width"

	"github.com/partsedge/partsedge/api/internal/i18n"
)

// MaxXLSXRows is what one sheet holds besides the header row (Excel's
// limit is 1,048,576 rows).
const MaxXLSXRows = 1<<20 - 1

// ErrTooManyRows is WriteXLSX's answer to a table longer than a sheet.
var ErrTooManyRows = errors.New("more rows than one XLSX sheet holds")

// sampleRows is how many rows are read ahead to size the columns: the
// stream writer needs the widths before the first row.
const sampleRows = 200

// Column widths in characters (a CJK character counts two).
const (
	minWidth = 6
	maxWidth = 60
)

// WriteXLSX writes t as one sheet: a bold, frozen header row with an
// autofilter (a table without a style), numbers as numbers, times and dates
// as spreadsheet dates, columns sized from the titles and the first rows.
func WriteXLSX(w io.Writer, lang i18n.Lang, t Table) error {
	return writeXLSX(w, lang, t, MaxXLSXRows)
}

func writeXLSX(w io.Writer, lang i18n.Lang, t Table, maxRows int) error {
	f := excelize.NewFile()
	defer f.Close()
	cat := i18n.Default()
	sheet := sheetName(cat.T(lang, t.Sheet))
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("export: sheet name: %w", err)
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("export: stream writer: %w", err)
	}
	titles := make([]string, len(t.Columns))
	widths := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		titles[i] = cat.T(lang, c.Title)
		widths[i] = max(displayWidth(titles[i])+3, kindWidth(c.Kind)) // +3: the filter button
	}

	n := 0 // data rows written
	var sample [][]Cell
	started := false
	start := func() error {
		started = true
		for _, row := range sample {
			for i, c := range row {
				if c.kind == Text {
					widths[i] = max(widths[i], displayWidth(c.s)+1)
				}
			}
		}
		for i, wd := range widths {
			if err := sw.SetColWidth(i+1, i+1, float64(min(max(wd, minWidth), maxWidth))); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		head := make([]any, len(titles))
		for i, s := range titles {
			head[i] = excelize.Cell{StyleID: st.header, Value: s}
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		for _, row := range sample {
			if err := writeRow(sw, st, n, row); err != nil {
				return err
			}
			n++
		}
		sample = nil
		return nil
	}
	err = t.Rows(func(row []Cell) error {
		if err := checkRow(t.Columns, row); err != nil {
			return err
		}
		if n+len(sample) >= maxRows {
			return fmt.Errorf("export: %w (%d)", ErrTooManyRows, maxRows)
		}
		if !started {
			if len(sample) < sampleRows {
				sample = append(sample, row)
				return nil
			}
			if err := start(); err != nil {
				return err
			}
		}
		if err := writeRow(sw, st, n, row); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return err
	}
	if !started {
		if err := start(); err != nil {
			return err
		}
	}
	last, err := excelize.CoordinatesToCellName(len(t.Columns), max(n+1, 2))
	if err != nil {
		return err
	}
	// A table is how the stream writer sets an autofilter; with no style
	// name it draws nothing but the filter buttons.
	off := false
	if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: "Export", ShowRowStripes: &off}); err != nil {
		return fmt.Errorf("export: autofilter: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

type styles struct{ header, time, date int }

func newStyles(f *excelize.File) (styles, error) {
	var st styles
	var err error
	if st.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return st, err
	}
	timeFmt, dateFmt := "yyyy-mm-dd hh:mm:ss", "yyyy-mm-dd"
	if st.time, err = f.NewStyle(&excelize.Style{CustomNumFmt: &timeFmt}); err != nil {
		return st, err
	}
	st.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	return st, err
}

// writeRow writes data row n (0-based) below the header.
func writeRow(sw *excelize.StreamWriter, st styles, n int, row []Cell) error {
	vals := make([]any, len(row))
	for i, c := range row {
		if !c.set {
			continue
		}
		switch c.kind {
		case Int:
			vals[i] = c.i
		case Float:
			vals[i] = c.f
		case Time:
			vals[i] = excelize.Cell{StyleID: st.time, Value: c.t}
		case Date:
			vals[i] = excelize.Cell{StyleID: st.date, Value: c.t}
		case Bool:
			vals[i] = c.b
		default:
			vals[i] = c.s
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, n+2)
	if err != nil {
		return err
	}
	return sw.SetRow(cell, vals)
}

func kindWidth(k Kind) int {
	switch k {
	case Time:
		return 20
	case Date:
		return 11
	case Int, Float:
		return 10
	case Bool:
		return 7
	}
	return 10
}

// displayWidth counts East Asian wide characters twice: a column sized by
// runes would cut Chinese titles in half.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// sheetName makes a title a valid sheet name: at most 31 characters, none
// of []:*?/\, and not empty.
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, s)
	s = strings.Trim(s, "'")
	if utf8.RuneCountInString(s) > 31 {
		s = string([]rune(s)[:31])
	}
	if s == "" {
		return "Export"
	}
	return s
}
