package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

func (s *server) listReorderPolicies(c *gin.Context, _ *inventory.User) {
	listPage(s, c, s.store.ReorderPolicies, func(st inventory.ReorderState) string { return st.SKU })
}

func (s *server) getReorderPolicy(c *gin.Context, _ *inventory.User) {
	getOne(s, c, "sku", s.store.ReorderPolicy)
}

// Reading policies and signals is open to every role, like the rest of the
// depot's state; setting a policy is the planner's and the admin's
// (roles.go). Signals and re-armings are the reorder watcher's alone: no
// role may post them, so a signal in the log is always one the depot's
// own rule raised.

// postReorderPolicy sets a part's policy: a reorder-policy-set event.
func (s *server) postReorderPolicy(c *gin.Context, u *inventory.User) {
	postDocument(s, c, u, inventory.EvReorderPolicySet, "the %s role may not set reorder policies", http.StatusCreated,
		func(p *inventory.ReorderPolicy) inventory.Command { return inventory.Command{Ref: p.SKU, Policy: p} },
		func(ev *inventory.Event) any {
			return struct {
				Policy *inventory.ReorderPolicy `json:"policy"`
				Event  *inventory.Event         `json:"event"`
			}{ev.Policy, ev}
		})
}

// listReorderSignals answers ?status=open|covered|all (default all), ?sku=
// and the page cursor ?after=<signal seq>.
func (s *server) listReorderSignals(c *gin.Context, _ *inventory.User) {
	listPage(s, c, func(pg inventory.Page) ([]inventory.SignalRecord, error) {
		after, _, err := querySeq(c, "after")
		if err != nil {
			return nil, err
		}
		f := inventory.SignalFilter{Status: c.Query("status"), SKU: c.Query("sku"), After: after, Limit: pg.Limit}
		switch f.Status {
		case "all":
			f.Status = ""
		case "", inventory.SignalOpen, inventory.SignalCovered:
		default:
			return nil, apiErr(inventory.CodeInvalid, "status", "open, covered or all")
		}
		return s.store.ReorderSignals(f)
	}, func(r inventory.SignalRecord) string { return strconv.FormatUint(r.Seq, 10) })
}
