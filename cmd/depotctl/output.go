package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// table prints aligned columns: two spaces apart, numbers right-aligned,
// no trailing spaces.
type table struct {
	head  []string
	right []bool // per column: align right
	rows  [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// dropEmptyColumns removes the columns no row has a value in.
func (t *table) dropEmptyColumns() {
	keep := func(i int) bool {
		for _, r := range t.rows {
			if i < len(r) && r[i] != "" {
				return true
			}
		}
		return false
	}
	var cols []int
	for i := range t.head {
		if keep(i) {
			cols = append(cols, i)
		}
	}
	pick := func(r []string) []string {
		out := make([]string, 0, len(cols))
		for _, i := range cols {
			if i < len(r) {
				out = append(out, r[i])
			}
		}
		return out
	}
	right := make([]bool, 0, len(cols))
	for _, i := range cols {
		right = append(right, i < len(t.right) && t.right[i])
	}
	t.head, t.right = pick(t.head), right
	for j, r := range t.rows {
		t.rows[j] = pick(r)
	}
}

func (t *table) widths() []int {
	var w []int
	for _, r := range append([][]string{t.head}, t.rows...) {
		for i, c := range r {
			if i >= len(w) {
				w = append(w, 0)
			}
			w[i] = max(w[i], utf8.RuneCountInString(c))
		}
	}
	return w
}

func (t *table) write(w io.Writer) error {
	widths := t.widths()
	var b strings.Builder
	for i, r := range append([][]string{t.head}, t.rows...) {
		if i == 0 && len(r) == 0 {
			continue
		}
		t.line(&b, r, widths)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (t *table) line(b *strings.Builder, r []string, widths []int) {
	var l strings.Builder
	for i, c := range r {
		pad := widths[i] - utf8.RuneCountInString(c)
		if i > 0 {
			l.WriteString("  ")
		}
		right := i < len(t.right) && t.right[i]
		if right {
			l.WriteString(strings.Repeat(" ", pad))
		}
		l.WriteString(c)
		if !right {
			l.WriteString(strings.Repeat(" ", pad))
		}
	}
	b.WriteString(strings.TrimRight(l.String(), " "))
	b.WriteByte('\n')
}

// streamTable prints a table page by page, for lists too long to hold:
// the header once, each page aligned to the widest cells seen so far.
type streamTable struct {
	table
	seen    []int
	started bool
}

func (s *streamTable) flush(w io.Writer) error {
	widths := s.widths()
	for i := range widths {
		if i < len(s.seen) {
			widths[i] = max(widths[i], s.seen[i])
		}
	}
	s.seen = widths
	var b strings.Builder
	if !s.started {
		s.line(&b, s.head, widths)
		s.started = true
	}
	for _, r := range s.rows {
		s.line(&b, r, widths)
	}
	s.rows = s.rows[:0]
	_, err := io.WriteString(w, b.String())
	return err
}

// writeJSON prints v indented.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeRawJSON prints a JSON document as depotd sent it, indented, so fields
// depotctl does not know yet are kept.
func writeRawJSON(w io.Writer, raw []byte) error {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return err
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

// writeJSONLine prints a JSON document on one line (JSON Lines).
func writeJSONLine(w io.Writer, raw []byte) error {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return err
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

// writeCSV prints a header and rows. Text cells that a spreadsheet would
// take for a formula are prefixed with a quote (OWASP's CSV injection
// advice); numeric columns are left as they are.
func writeCSV(w io.Writer, head []string, numeric []bool, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range rows {
		out := make([]string, len(r))
		for i, c := range r {
			if (i >= len(numeric) || !numeric[i]) && c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				c = "'" + c
			}
			out[i] = c
		}
		if err := cw.Write(out); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// fmtBytes prints a size in binary units.
func fmtBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
