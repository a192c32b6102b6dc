package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

// me answers who the token belongs to: the screens sign in with it and
// show each role only the screens it may use.
func (s *server) me(c *gin.Context, u *inventory.User) {
	s.writeJSON(c, http.StatusOK, struct {
		Name  string `json:"name"`
		Role  string `json:"role"`
		Depot string `json:"depot"`
	}{u.Name, u.Role, s.store.Depot()})
}
