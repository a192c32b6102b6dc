package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

func (s *server) listReorderPolicies(c *gin.Context, _ *inventory.User) {
	limit, err := queryLimit(c, defaultPage, maxCatalogPage)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, err := s.store.ReorderPolicies(inventory.Page{After: c.Query("after"), Limit: limit + 1})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, page(items, limit, func(st inventory.ReorderState) string { return st.SKU }))
}

func (s *server) getReorderPolicy(c *gin.Context, _ *inventory.User) {
	st, err := s.store.ReorderPolicy(c.Param("sku"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, st)
}

// Reading policies and signals is open to every role, like the rest of the
// depot's state; setting a policy is the planner's and the admin's
// (roles.go). Signals and re-armings are the reorder watcher's alone: no
// role may post them, so a signal in the log is always one the depot's
// own rule raised.

// postReorderPolicy sets a part's policy: a reorder-policy-set event.
func (s *server) postReorderPolicy(c *gin.Context, u *inventory.User) {
	if !s.perms.mayPost(u.Role, inventory.EvReorderPolicySet) {
		refuse(c, CodeForbidden, "", "the "+u.Role+" role may not set reorder policies")
		return
	}
	var p inventory.ReorderPolicy
	if !s.decode(c, &p) {
		return
	}
	res, ok := s.append(c, u, inventory.Command{Type: inventory.EvReorderPolicySet, Ref: p.SKU, Policy: &p})
	if !ok {
		return
	}
	s.writeJSON(c, http.StatusCreated, struct {
		Policy *inventory.ReorderPolicy `json:"policy"`
		Event  *inventory.Event         `json:"event"`
	}{res.Event.Policy, &res.Event})
}

// listReorderSignals answers ?status=open|covered|all (default all), ?sku=
// and the page cursor ?after=<signal seq>.
func (s *server) listReorderSignals(c *gin.Context, _ *inventory.User) {
	limit, err := queryLimit(c, defaultPage, maxCatalogPage)
	if err != nil {
		s.fail(c, err)
		return
	}
	after, _, err := querySeq(c, "after")
	if err != nil {
		s.fail(c, err)
		return
	}
	f := inventory.SignalFilter{Status: c.Query("status"), SKU: c.Query("sku"), After: after, Limit: limit + 1}
	switch f.Status {
	case "all":
		f.Status = ""
	case "", inventory.SignalOpen, inventory.SignalCovered:
	default:
		s.fail(c, apiErr(inventory.CodeInvalid, "status", "open, covered or all"))
		return
	}
	items, err := s.store.ReorderSignals(f)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, page(items, limit, func(r inventory.SignalRecord) string { return strconv.FormatUint(r.Seq, 10) }))
}
