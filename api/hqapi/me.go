package hqapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// meRoutes: who the token belongs to, for the screens' sign-in.
func (s *server) meRoutes(v1 *gin.RouterGroup) {
	v1.GET("/me", s.authed(anyone, func(c *gin.Context) {
		p := who(c)
		c.JSON(http.StatusOK, gin.H{"name": p.Name, "role": p.Role})
	}))
}
