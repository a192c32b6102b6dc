package api

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

// Stocktaking: count sessions (inventory/count.go). A blind session never
// shows a counter what the ledger expects: the session's view, and the
// answer to an entry, leave out expected quantities and variances for
// anyone who counts or may count in it, until it is approved.

func (s *server) listCounts(c *gin.Context, _ *inventory.User) {
	listPage(s, c, func(pg inventory.Page) ([]inventory.CountState, error) {
		f := inventory.CountFilter{Status: inventory.CountStatus(c.Query("status"))}
		if f.Status != "" && f.Status != inventory.CountOpen && f.Status != inventory.CountApproved {
			return nil, apiErr(inventory.CodeInvalid, "status", "open or approved")
		}
		return s.store.CountSessions(f, pg)
	}, func(st inventory.CountState) string { return st.Number })
}

// blindFor says whether u must not see what the ledger expects in st.
func (s *server) blindFor(u *inventory.User, st *inventory.CountState) bool {
	if !st.Blind || st.Status != inventory.CountOpen {
		return false
	}
	if st.Counted(u.Name) || slices.Contains(st.Counters, u.Name) {
		return true
	}
	// Without a list of counters, anyone who may enter counts may count,
	// except the admin, who is not on the floor.
	return len(st.Counters) == 0 && u.Role != RoleAdmin && s.perms.mayPost(u.Role, inventory.EvCountEntered)
}

// countBinView is a bin's count; Expected is left out in a blind view.
type countBinView struct {
	Bin      string               `json:"bin"`
	BeganSeq uint64               `json:"beganSeq"`
	Expected []inventory.CountRow `json:"expected,omitempty"`
	Counted  []inventory.CountRow `json:"counted"`
	Entries  []uint64             `json:"entries"`
	Recounts int                  `json:"recounts"`
}

// countView is a session as one caller may see it.
type countView struct {
	inventory.CountState
	// ExpectedHidden is true when the caller counts blind in the session:
	// expected quantities and variances are left out.
	ExpectedHidden bool                 `json:"expectedHidden"`
	BinCounts      []countBinView       `json:"binCounts"`
	Variances      []inventory.Variance `json:"variances,omitempty"`
}

func (s *server) viewCount(u *inventory.User, rep inventory.CountReport) countView {
	v := countView{CountState: rep.CountState, ExpectedHidden: s.blindFor(u, &rep.CountState), BinCounts: []countBinView{}}
	for _, b := range rep.Bins {
		bv := countBinView{Bin: b.Bin, BeganSeq: b.BeganSeq, Counted: b.Counted, Entries: b.Entries, Recounts: b.Recounts}
		if !v.ExpectedHidden {
			bv.Expected = b.Expected
		}
		v.BinCounts = append(v.BinCounts, bv)
	}
	if !v.ExpectedHidden {
		v.Variances = rep.Variances
	}
	return v
}

func (s *server) getCount(c *gin.Context, u *inventory.User) {
	rep, err := s.store.CountReport(c.Param("number"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, s.viewCount(u, rep))
}

func (s *server) postCount(c *gin.Context, u *inventory.User) {
	postBody(s, c, u, func(sess *inventory.CountSession) inventory.Command {
		return inventory.Command{Type: inventory.EvCountOpened, Ref: sess.Number, Count: &inventory.CountPayload{Session: sess}}
	}, func(res inventory.Result) {
		s.writeJSON(c, http.StatusCreated, struct {
			Session *inventory.CountSession `json:"session"`
			Event   *inventory.Event        `json:"event"`
		}{res.Event.Count.Session, &res.Event})
	})
}

// countAnswer is the answer to an entry, a recount or an approval: the
// event and the session as the caller may see it after it.
type countAnswer struct {
	Event *inventory.Event `json:"event"`
	Count countView        `json:"count"`
}

func (s *server) answerCount(c *gin.Context, u *inventory.User, res inventory.Result, status int) {
	rep, err := s.store.CountReport(res.Event.Ref)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, status, countAnswer{&res.Event, s.viewCount(u, rep)})
}

func (s *server) postCountEntry(c *gin.Context, u *inventory.User) {
	postBody(s, c, u, func(e *inventory.CountEntry) inventory.Command {
		return inventory.Command{Type: inventory.EvCountEntered, Ref: c.Param("number"), Count: &inventory.CountPayload{Entry: e}}
	}, func(res inventory.Result) { s.answerCount(c, u, res, http.StatusCreated) })
}

type recountBody struct {
	Bins []string `json:"bins"`
	Note string   `json:"note,omitempty"`
}

func (s *server) postRecount(c *gin.Context, u *inventory.User) {
	postBody(s, c, u, func(b *recountBody) inventory.Command {
		if b.Bins == nil {
			b.Bins = []string{}
		}
		return inventory.Command{Type: inventory.EvCountRecount, Ref: c.Param("number"), Note: b.Note,
			Count: &inventory.CountPayload{Recount: b.Bins}}
	}, func(res inventory.Result) { s.answerCount(c, u, res, http.StatusOK) })
}

// approveCount posts the session's adjustments: one count-adjustment event
// whose lines the store computes from the variances.
func (s *server) approveCount(c *gin.Context, u *inventory.User) {
	postBody(s, c, u, func(b *closeBody) inventory.Command {
		return inventory.Command{Type: inventory.EvCountAdjustment, Ref: c.Param("number"), Note: b.Note,
			Count: &inventory.CountPayload{Approve: true}}
	}, func(res inventory.Result) { s.answerCount(c, u, res, http.StatusOK) })
}
