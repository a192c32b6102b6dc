package api

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

// audit is the trail of who did what: the event chain, filtered, newest
// first, each entry checked against the chain. ?format=csv gives the same
// page as a spreadsheet for an auditor's working papers.
func (s *server) audit(c *gin.Context, _ *inventory.User) {
	limit, err := queryLimit(c, defaultPage, maxEventPage)
	if err != nil {
		s.fail(c, err)
		return
	}
	before, _, err := querySeq(c, "before")
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := auditFilter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "csv" {
		s.fail(c, apiErr(inventory.CodeInvalid, "format", "json or csv"))
		return
	}
	pg, err := s.store.Audit(f, before, limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	if format == "json" {
		s.writeJSON(c, http.StatusOK, pg)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="audit-`+s.store.Depot()+`.csv"`)
	if pg.Next != 0 {
		c.Header("X-Next-Before", strconv.FormatUint(pg.Next, 10))
	}
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	w.Write([]string{"seq", "at", "actor", "type", "ref", "note", "lines", "hash", "hash_ok", "link_ok"})
	for _, e := range pg.Entries {
		ev := e.Event
		link := ""
		if e.LinkOK != nil {
			link = strconv.FormatBool(*e.LinkOK)
		}
		w.Write([]string{strconv.FormatUint(ev.Seq, 10), ev.At.UTC().Format(time.RFC3339Nano), cell(ev.Actor), string(ev.Type),
			cell(ev.Ref), cell(ev.Note), cell(linesSummary(ev.Lines)), ev.Hash, strconv.FormatBool(e.HashOK), link})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		s.log.Warn("audit csv", "err", err)
	}
}

// auditFilter reads the trail's filter from the query: actor, type (one or
// more, comma-separated or repeated), ref, sku, since and until (RFC 3339
// times or YYYY-MM-DD days, UTC).
func auditFilter(c *gin.Context) (inventory.AuditFilter, error) {
	f := inventory.AuditFilter{Actor: c.Query("actor"), Ref: c.Query("ref"), SKU: c.Query("sku")}
	for _, v := range c.QueryArray("type") {
		for _, t := range strings.Split(v, ",") {
			et := inventory.EventType(strings.TrimSpace(t))
			if !knownEventType(et) {
				return f, apiErrf(inventory.CodeInvalid, "type", "%q is not an event type", t)
			}
			f.Types = append(f.Types, et)
		}
	}
	for _, b := range []struct {
		name string
		into *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		v := c.Query(b.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			var ok bool
			if t, ok = inventory.ParseDate(v); !ok {
				return f, apiErr(inventory.CodeInvalid, b.name, "an RFC 3339 time or a YYYY-MM-DD day")
			}
		}
		*b.into = t
	}
	return f, nil
}

// linesSummary writes an event's lines for one spreadsheet cell:
// "5 PN A->B; 1 PS [S1] from A".
func linesSummary(lines []inventory.Line) string {
	parts := make([]string, 0, len(lines))
	for _, l := range lines {
		var b strings.Builder
		fmt.Fprintf(&b, "%d %s", l.Qty, l.SKU)
		if l.Lot != "" {
			b.WriteString(" lot " + l.Lot)
		}
		if len(l.Serials) > 0 {
			b.WriteString(" [" + strings.Join(l.Serials, " ") + "]")
		}
		switch {
		case l.From != "" && l.To != "":
			b.WriteString(" " + l.From + "->" + l.To)
		case l.From != "":
			b.WriteString(" from " + l.From)
		case l.To != "":
			b.WriteString(" to " + l.To)
		case l.Location != "":
			b.WriteString(" at " + l.Location)
		}
		parts = append(parts, b.String())
	}
	return strings.Join(parts, "; ")
}

// cell keeps text a spreadsheet would run as a formula (a note starting
// with = + - @) as text, by the leading apostrophe spreadsheets honour.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
