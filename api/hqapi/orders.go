package hqapi

import "github.com/gin-gonic/gin"

// orderRoutes let planners send transfer orders and policies down to the
// depots as commands, and follow what became of them.
func (s *server) orderRoutes(v1 *gin.RouterGroup) {}
