// Package browsertest makes the web screens' browser-test helpers
// (api/internal/webui/browsertest) usable from the daemons' own tests in
// cmd/: Go's internal rule keeps cmd/hqd and cmd/depotd from importing a
// package under api/internal, and their browser tests drive the real
// daemons. It only forwards; the helpers and their documentation live in
// the internal package.
package browsertest

import (
	wb "github.com/partsedge/partsedge/api/internal/webui/browsertest"
)

// Browser is one headless Chromium process.
type Browser = wb.Browser

// The screen sizes the screens are held to.
const (
	HandheldWidth  = wb.HandheldWidth
	HandheldHeight = wb.HandheldHeight
	DesktopWidth   = wb.DesktopWidth
	DesktopHeight  = wb.DesktopHeight
)

// The helpers, as the internal package documents them.
var (
	Chromium     = wb.Chromium
	New          = wb.New
	Login        = wb.Login
	ArtifactsDir = wb.ArtifactsDir
	Screenshot   = wb.Screenshot
	Text         = wb.Text
	WaitText     = wb.WaitText
	Press        = wb.Press
	Focused      = wb.Focused
	TabTo        = wb.TabTo
	Overflow     = wb.Overflow
	TableRows    = wb.TableRows
	WatchClicks  = wb.WatchClicks
	Audit        = wb.Audit
)
