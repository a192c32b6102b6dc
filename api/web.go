package api

import (
	"embed"
	"io/fs"

	"github.com/partsedge/partsedge/api/internal/webui"
)

// web holds the depot's screens, one file each (see api/internal/webui).
//
//go:embed web
var web embed.FS

// mountUI serves the depot's screens at / from the binary itself.
func (s *server) mountUI() error {
	screens, err := fs.Sub(web, "web")
	if err != nil {
		return err
	}
	return webui.Mount(s.engine, webui.Site{App: "depot", Title: "Partsedge depot", Screens: screens})
}
