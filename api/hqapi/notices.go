package hqapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/api/internal/problem"
	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/hq"
)

// noticeList is the answer of GET /notices.
type noticeList struct {
	Items []inventory.Notice `json:"items"`
}

// noticeRoutes serve the notices the depots signalled to HQ (reminders as
// they were raised and cleared, announcements), each notice once, in its
// latest state, the latest news first, in the request's language.
func (s *server) noticeRoutes(v1 *gin.RouterGroup) {
	v1.GET("/notices", s.authed(anyone, func(c *gin.Context) {
		f := hq.NoticeFilter{Depot: c.Query("depot"), Limit: 100}
		switch c.Query("open") {
		case "", "false":
		case "true":
			f.Open = true
		default:
			s.fail(c, &inventory.Error{Code: inventory.CodeInvalid, Field: "open", Msg: "must be true or false"})
			return
		}
		if v := c.Query("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000 {
				s.fail(c, &inventory.Error{Code: inventory.CodeInvalid, Field: "limit", Msg: "must be a whole number from 1 to 1000"})
				return
			}
			f.Limit = n
		}
		items, err := s.hq.Notices(f)
		if err != nil {
			s.fail(c, err)
			return
		}
		l := problem.LangOf(c)
		c.Header("Content-Language", string(l))
		cat := i18n.Default()
		for i := range items {
			items[i].Translate(func(text string) string { return cat.T(l, text) })
		}
		c.JSON(http.StatusOK, noticeList{Items: items})
	}))
}
