package api

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/api/internal/problem"
	"github.com/partsedge/partsedge/inventory"
)

// Notices is the depot's notifier (replication/notify): the API reads the
// notice log from the store and waits on Changed for more. Nil when no
// notifier runs: the stream then ends after what the log holds.
type Notices interface {
	Changed() <-chan struct{}
}

// noticeList is the answer of GET /notices.
type noticeList struct {
	Items []inventory.Notice `json:"items"`
	// Head is the seq of the last record of the notice log: ?after=head
	// asks for what came since.
	Head uint64 `json:"head"`
	// Open counts the notices raised and not cleared.
	Open int `json:"open"`
}

// afterParam reads ?after= (or, for a reconnecting stream, Last-Event-ID).
func (s *server) afterParam(c *gin.Context, header bool) (uint64, bool) {
	text := c.Query("after")
	if text == "" && header {
		text = c.GetHeader("Last-Event-ID")
	}
	if text == "" {
		return 0, true
	}
	n, err := strconv.ParseUint(strings.TrimSpace(text), 10, 64)
	if err != nil {
		s.fail(c, apiErr(inventory.CodeInvalid, "after", "must be a seq (a whole number)"))
		return 0, false
	}
	return n, true
}

// localize puts each notice's message in the caller's language (their own
// choice, else Accept-Language): the catalogue translates its Text, and
// its Values fill the placeholders.
func localize(c *gin.Context, items []inventory.Notice) {
	l := problem.LangOf(c)
	c.Header("Content-Language", string(l))
	if l == i18n.English {
		return
	}
	cat := i18n.Default()
	for i := range items {
		items[i].Translate(func(text string) string { return cat.T(l, text) })
	}
}

// listNotices lists the notice log, newest first: ?after= only records
// after that seq, ?open=true only the notices open now, ?limit= at most so
// many (default 100, at most 1000).
func (s *server) listNotices(c *gin.Context, _ *inventory.User) {
	ns := s.store
	after, ok := s.afterParam(c, false)
	if !ok {
		return
	}
	limit := 100
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.fail(c, apiErr(inventory.CodeInvalid, "limit", "must be a whole number from 1 to 1000"))
			return
		}
		limit = n
	}
	onlyOpen := false
	switch c.Query("open") {
	case "", "false":
	case "true":
		onlyOpen = true
	default:
		s.fail(c, apiErr(inventory.CodeInvalid, "open", "must be true or false"))
		return
	}
	head, err := ns.NoticeHead()
	if err != nil {
		s.fail(c, err)
		return
	}
	open, err := ns.OpenNotices()
	if err != nil {
		s.fail(c, err)
		return
	}
	var items []inventory.Notice
	if onlyOpen {
		items = make([]inventory.Notice, 0, len(open))
		for _, n := range open {
			if n.Seq > after {
				items = append(items, n)
			}
		}
		slices.SortFunc(items, func(a, b inventory.Notice) int { return cmp.Compare(b.Seq, a.Seq) })
		items = items[:min(len(items), limit)]
	} else if items, err = ns.RecentNotices(after, limit); err != nil {
		s.fail(c, err)
		return
	}
	localize(c, items)
	s.writeJSON(c, http.StatusOK, noticeList{Items: items, Head: head, Open: len(open)})
}

// noticeEvents streams the notice log as server-sent events, framed like a
// station's stream: the records after ?after= (or the Last-Event-ID a
// reconnecting browser sends; the whole log when neither is given), oldest
// first, then each new one as the notifier writes it. The event name is
// the record's state (raised or cleared), its id the record's seq.
func (s *server) noticeEvents(c *gin.Context, _ *inventory.User) {
	ns := s.store
	after, ok := s.afterParam(c, true)
	if !ok {
		return
	}
	stream, ok := startSSE(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	tick := time.NewTicker(sseHeartbeat)
	defer tick.Stop()
	for {
		var changed <-chan struct{}
		if s.notices != nil {
			changed = s.notices.Changed() // before reading, so nothing written between is missed
		}
		recs, err := ns.NoticeLog(after, 100)
		if err != nil {
			s.log.Error("notice stream: read the log", "err", err)
			return
		}
		localize(c, recs)
		for _, n := range recs {
			if !stream.event(n.Seq, string(n.State), n) {
				return
			}
			after = n.Seq
		}
		stream.flush()
		if len(recs) == 100 {
			continue
		}
		if changed == nil {
			return // no notifier: nothing more will come
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-tick.C:
			if !stream.ping() {
				return
			}
		}
	}
}
