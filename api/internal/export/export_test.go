package export

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/partsedge/partsedge/api/internal/i18n"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var sampleColumns = []Column{
	{"Part", Text}, {"Quantity", Int}, {"Fill rate", Float}, {"Time (UTC)", Time}, {"Expected date", Date}, {"Overdue", Bool},
}

var sampleTime = time.Date(2026, 11, 24, 3, 52, 7, 0, time.FixedZone("CST", 8*3600))

func sampleTable() Table {
	return Table{Sheet: "Stock", Columns: sampleColumns, Rows: Rows([][]Cell{
		{S("P-1"), I(12), F(0.75), T(sampleTime), D("2026-12-01"), B(true)},
		{S("=HYPERLINK(\"http://x\")"), I(-3), F(1), T(time.Time{}), D(""), B(false)},
		{S("say \"hi\", then\nleave"), I(0), {}, {}, {}, {}},
		{S("+1"), I(1), F(0), {}, {}, {}},
		{S("-2"), I(2), {}, {}, {}, {}},
		{S("@SUM(A1)"), I(3), {}, {}, {}, {}},
		{S("\tTAB"), I(4), {}, {}, {}, {}},
		{S("\rCR"), I(5), {}, {}, {}, {}},
		{S("压缩机 壓縮機"), I(6), {}, {}, {}, {}},
		{S(""), I(7), {}, {}, {}, {}},
	})}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\ngot  %q\nwant %q", name, got, want)
	}
}

// TestCSV: a BOM, translated titles, RFC 4180 quoting with CRLF, times in
// UTC, numbers never guarded, and text that a spreadsheet would run as a
// formula prefixed with an apostrophe. (encoding/csv drops a lone CR
// inside a field when it writes CRLF line ends: "\rCR" comes out as 'CR.)
func TestCSV(t *testing.T) {
	for _, tc := range []struct {
		lang i18n.Lang
		file string
	}{{i18n.English, "sample.en.csv"}, {i18n.SimplifiedChinese, "sample.zh-Hans.csv"}, {i18n.TraditionalChinese, "sample.zh-Hant.csv"}} {
		var b bytes.Buffer
		if err := WriteCSV(&b, tc.lang, sampleTable()); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b.Bytes(), []byte("\xef\xbb\xbf")) {
			t.Errorf("%s: no UTF-8 BOM", tc.lang)
		}
		golden(t, tc.file, b.Bytes())
	}
}

func TestGuard(t *testing.T) {
	for in, want := range map[string]string{
		"":        "",
		"P-1":     "P-1",
		"=1+1":    "'=1+1",
		"+1":      "'+1",
		"-1":      "'-1",
		"@x":      "'@x",
		"\tx":     "'\tx",
		"\rx":     "'\rx",
		"a=b":     "a=b",
		" =x":     " =x",
		"'quoted": "'quoted",
	} {
		if got := guard(in); got != want {
			t.Errorf("guard(%q) = %q, want %q", in, got, want)
		}
	}
}

// readXLSX opens an export and returns its only sheet's name and raw rows.
func readXLSX(t *testing.T, b []byte) (*excelize.File, string, [][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("open xlsx: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	sheets := f.GetSheetList()
	if len(sheets) != 1 {
		t.Fatalf("sheets %v, want one", sheets)
	}
	rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return f, sheets[0], rows
}

// TestXLSX reads the workbook back: the sheet and header in the language,
// a bold frozen header with an autofilter over the data, numbers stored as
// numbers, times and dates as dates, text kept as typed (no apostrophe: a
// string cell is never a formula), and columns wide enough for the titles.
func TestXLSX(t *testing.T) {
	var b bytes.Buffer
	if err := WriteXLSX(&b, i18n.SimplifiedChinese, sampleTable()); err != nil {
		t.Fatal(err)
	}
	f, sheet, rows := readXLSX(t, b.Bytes())
	if sheet != "库存" {
		t.Errorf("sheet %q, want 库存", sheet)
	}
	if want := []string{"备件", "数量", "满足率", "时间（UTC）", "预计到达日期", "已逾期"}; strings.Join(rows[0], "|") != strings.Join(want, "|") {
		t.Errorf("header %q, want %q", rows[0], want)
	}
	if len(rows) != 11 {
		t.Fatalf("%d rows, want header + 10", len(rows))
	}
	style, err := f.GetCellStyle(sheet, "B1")
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(style)
	if err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header style %+v (%v), want bold", st, err)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes %+v (%v), want the header row frozen", panes, err)
	}
	tables, err := f.GetTables(sheet)
	if err != nil || len(tables) != 1 || tables[0].Range != "A1:F11" {
		t.Errorf("tables %+v (%v), want one autofilter table over A1:F11", tables, err)
	}
	for _, tc := range []struct {
		cell string
		typ  excelize.CellType
		raw  string
	}{
		{"A2", excelize.CellTypeInlineString, "P-1"},
		{"B2", excelize.CellTypeUnset, "12"}, // a number: no t attribute
		{"C2", excelize.CellTypeUnset, "0.75"},
		{"F2", excelize.CellTypeBool, "1"},
		{"A3", excelize.CellTypeInlineString, `=HYPERLINK("http://x")`},
		{"B3", excelize.CellTypeUnset, "-3"},
		{"A4", excelize.CellTypeInlineString, "say \"hi\", then\nleave"},
		{"A10", excelize.CellTypeInlineString, "压缩机 壓縮機"},
	} {
		typ, err := f.GetCellType(sheet, tc.cell)
		if err != nil || typ != tc.typ {
			t.Errorf("%s: type %v (%v), want %v", tc.cell, typ, err, tc.typ)
		}
		raw, _ := f.GetCellValue(sheet, tc.cell, excelize.Options{RawCellValue: true})
		if raw != tc.raw {
			t.Errorf("%s: %q, want %q", tc.cell, raw, tc.raw)
		}
	}
	if formula, _ := f.GetCellFormula(sheet, "A3"); formula != "" {
		t.Errorf("A3 became the formula %q", formula)
	}
	// Times are UTC serial dates shown with a date format.
	raw, _ := f.GetCellValue(sheet, "D2", excelize.Options{RawCellValue: true})
	got, err := excelize.ExcelDateToTime(mustFloat(t, raw), false)
	if err != nil || !got.Equal(sampleTime.UTC().Truncate(time.Second)) {
		t.Errorf("D2 %q = %v (%v), want %v", raw, got, err, sampleTime.UTC())
	}
	shown, _ := f.GetCellValue(sheet, "D2")
	if shown != "2026-11-23 19:52:07" {
		t.Errorf("D2 shows %q, want the UTC time 2026-11-23 19:52:07", shown)
	}
	if shown, _ := f.GetCellValue(sheet, "E2"); shown != "2026-12-01" {
		t.Errorf("E2 shows %q, want 2026-12-01", shown)
	}
	if v, _ := f.GetCellValue(sheet, "D3"); v != "" {
		t.Errorf("D3 (a zero time) holds %q, want empty", v)
	}
	for col, min := range map[string]float64{"A": 14, "D": 20, "E": 11} {
		w, err := f.GetColWidth(sheet, col)
		if err != nil || w < min || w > maxWidth {
			t.Errorf("column %s width %v (%v), want %v..%d", col, w, err, min, maxWidth)
		}
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is not a number: %v", s, err)
	}
	return f
}

// TestXLSXManyRows crosses the sample the widths are taken from and ends
// with every row in order.
func TestXLSXManyRows(t *testing.T) {
	const n = sampleRows*2 + 7
	tbl := Table{Sheet: "Events", Columns: []Column{{"Seq", Int}, {"Part", Text}}, Rows: func(emit func([]Cell) error) error {
		for i := range n {
			if err := emit([]Cell{I(int64(i + 1)), S(strings.Repeat("x", i%90))}); err != nil {
				return err
			}
		}
		return nil
	}}
	var b bytes.Buffer
	if err := WriteXLSX(&b, i18n.English, tbl); err != nil {
		t.Fatal(err)
	}
	f, sheet, rows := readXLSX(t, b.Bytes())
	if len(rows) != n+1 {
		t.Fatalf("%d rows, want %d", len(rows), n+1)
	}
	for i, r := range rows[1:] {
		if r[0] != itoa(i+1) {
			t.Fatalf("row %d starts %q", i+2, r[0])
		}
	}
	if w, _ := f.GetColWidth(sheet, "B"); w != maxWidth {
		t.Errorf("B width %v, want the cap %d (the sample holds 89-character texts)", w, maxWidth)
	}
}

// TestXLSXEmpty: a table with no rows is a header with its filter.
func TestXLSXEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := WriteXLSX(&b, i18n.TraditionalChinese, Table{Sheet: "Stock", Columns: sampleColumns, Rows: Rows(nil)}); err != nil {
		t.Fatal(err)
	}
	_, sheet, rows := readXLSX(t, b.Bytes())
	if sheet != "庫存" || len(rows) != 1 || rows[0][0] != "備件" {
		t.Errorf("sheet %q rows %q", sheet, rows)
	}
}

// TestRowsHeldToTheColumns: a short row or a cell of the wrong kind is an
// error, never a shifted row; a row source's own error comes back as is.
func TestRowsHeldToTheColumns(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name string
		rows func(emit func([]Cell) error) error
		want string
	}{
		{"short", Rows([][]Cell{{S("x")}}), "a row of 1 cells"},
		{"kind", Rows([][]Cell{{I(1), I(1), {}, {}, {}, {}}}), `column "Part"`},
		{"source", func(func([]Cell) error) error { return boom }, "boom"},
	} {
		for _, f := range []Format{CSV, XLSX} {
			err := Write(&bytes.Buffer{}, f, i18n.English, Table{Sheet: "Stock", Columns: sampleColumns, Rows: tc.rows})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s %s: %v, want %q", tc.name, f, err, tc.want)
			}
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": JSON, "json": JSON, "csv": CSV, "xlsx": XLSX} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"CSV", "xls", "pdf", " csv", "csv\x00"} {
		if got, err := ParseFormat(in); !errors.Is(err, ErrFormat) {
			t.Errorf("ParseFormat(%q) = %q, %v; want ErrFormat", in, got, err)
		}
	}
	if CSV.MediaType() != "text/csv; charset=utf-8" || XLSX.MediaType() != XLSXMediaType {
		t.Error("media types")
	}
}

// FuzzParseFormat: any value is one of the three formats or ErrFormat.
func FuzzParseFormat(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		got, err := ParseFormat(v)
		switch {
		case err != nil:
			if !errors.Is(err, ErrFormat) || got != "" {
				t.Fatalf("%q: %q, %v", v, got, err)
			}
		case got == JSON:
			if v != "" && v != "json" {
				t.Fatalf("%q read as json", v)
			}
		case string(got) != v:
			t.Fatalf("%q read as %q", v, got)
		}
	})
}

func TestFilenameAndDisposition(t *testing.T) {
	day := time.Date(2026, 11, 24, 23, 30, 0, 0, time.FixedZone("X", -3600))
	for _, tc := range []struct {
		owner, name string
		f           Format
		file, disp  string
	}{
		{"DEMO-1", "stock", XLSX, "DEMO-1-stock-2026-11-25.xlsx",
			`attachment; filename="DEMO-1-stock-2026-11-25.xlsx"; filename*=UTF-8''DEMO-1-stock-2026-11-25.xlsx`},
		{"HQ", "count-C/1", CSV, "HQ-count-C_1-2026-11-25.csv",
			`attachment; filename="HQ-count-C_1-2026-11-25.csv"; filename*=UTF-8''HQ-count-C_1-2026-11-25.csv`},
		{"仓库", `t "x";%`, CSV, "仓库-t _x___-2026-11-25.csv",
			`attachment; filename="__-t _x___-2026-11-25.csv"; filename*=UTF-8''%E4%BB%93%E5%BA%93-t%20_x___-2026-11-25.csv`},
	} {
		file := Filename(tc.owner, tc.name, day, tc.f)
		if file != tc.file {
			t.Errorf("Filename = %q, want %q", file, tc.file)
		}
		if d := ContentDisposition(file); d != tc.disp {
			t.Errorf("ContentDisposition(%q) = %q, want %q", file, d, tc.disp)
		}
	}
}

// BenchmarkXLSX100k writes 100,000 rows of a stock-like table.
func BenchmarkXLSX100k(b *testing.B) {
	benchmarkWrite(b, XLSX, 100_000)
}

// BenchmarkCSV100k is the same table as CSV.
func BenchmarkCSV100k(b *testing.B) {
	benchmarkWrite(b, CSV, 100_000)
}

func benchmarkWrite(b *testing.B, f Format, n int) {
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	tbl := Table{Sheet: "Stock", Columns: []Column{{"Part", Text}, {"Location", Text}, {"On hand", Int}, {"Time (UTC)", Time}},
		Rows: func(emit func([]Cell) error) error {
			for i := range n {
				if err := emit([]Cell{S("SKU-" + itoa(i)), S("A-01"), I(int64(i)), T(at.Add(time.Duration(i) * time.Second))}); err != nil {
					return err
				}
			}
			return nil
		}}
	var cw countWriter
	b.ReportAllocs()
	for b.Loop() {
		cw = 0
		if err := Write(&cw, f, i18n.English, tbl); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(cw), "bytes")
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

func itoa(i int) string { return strconv.Itoa(i) }

// TestXLSXTooManyRows: a table longer than a sheet is refused whole, with
// the error callers map to a clear answer, before a byte is written.
func TestXLSXTooManyRows(t *testing.T) {
	for _, n := range []int{3, sampleRows + 5} {
		var b bytes.Buffer
		tbl := Table{Sheet: "Events", Columns: []Column{{"Seq", Int}}, Rows: func(emit func([]Cell) error) error {
			for i := range n + 1 {
				if err := emit([]Cell{I(int64(i))}); err != nil {
					return err
				}
			}
			return nil
		}}
		if err := writeXLSX(&b, i18n.English, tbl, n); !errors.Is(err, ErrTooManyRows) || b.Len() != 0 {
			t.Errorf("%d rows in a sheet of %d: %v, %d bytes written", n+1, n, err, b.Len())
		}
		if err := writeXLSX(&b, i18n.English, Table{Sheet: "Events", Columns: tbl.Columns, Rows: func(emit func([]Cell) error) error {
			for i := range n {
				if err := emit([]Cell{I(int64(i))}); err != nil {
					return err
				}
			}
			return nil
		}}, n); err != nil {
			t.Errorf("%d rows in a sheet of %d: %v", n, n, err)
		}
	}
}
