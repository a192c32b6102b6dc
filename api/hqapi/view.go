package hqapi

import "github.com/gin-gonic/gin"

// viewRoutes serve the global view: stock per part per depot, transfers in
// transit, reorder signals and lateral-transfer suggestions.
func (s *server) viewRoutes(v1 *gin.RouterGroup) {}
