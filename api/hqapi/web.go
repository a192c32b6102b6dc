package hqapi

import (
	"embed"
	"io/fs"

	"github.com/partsedge/partsedge/api/internal/webui"
)

// web holds HQ's screens, one file each (see api/internal/webui).
//
//go:embed web
var web embed.FS

// mountUI serves HQ's screens at / from the binary itself.
func (s *server) mountUI() error {
	screens, err := fs.Sub(web, "web")
	if err != nil {
		return err
	}
	return webui.Mount(s.engine, webui.Site{App: "hq", Title: "Partsedge HQ", Screens: screens})
}
