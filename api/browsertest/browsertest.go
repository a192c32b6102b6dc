// Package browsertest lets the daemons' own tests (cmd/depotd, cmd/hqd)
// drive the web screens in Chromium: api/internal/webui/browsertest is
// internal to api/, which Go's internal rule keeps from cmd/. This package
// only names that one's API; nothing is implemented here.
package browsertest

import (
	bt "github.com/partsedge/partsedge/api/internal/webui/browsertest"
)

// Browser is one headless Chromium process.
type Browser = bt.Browser

// The sizes the screens are held to.
const (
	HandheldWidth, HandheldHeight = bt.HandheldWidth, bt.HandheldHeight
	DesktopWidth, DesktopHeight   = bt.DesktopWidth, bt.DesktopHeight
)

// The functions of api/internal/webui/browsertest, under the same names.
var (
	New          = bt.New
	Login        = bt.Login
	Screenshot   = bt.Screenshot
	ArtifactsDir = bt.ArtifactsDir
	Text         = bt.Text
	WaitText     = bt.WaitText
	Press        = bt.Press
	Focused      = bt.Focused
	TabTo        = bt.TabTo
	Overflow     = bt.Overflow
	TableRows    = bt.TableRows
	WatchClicks  = bt.WatchClicks
	Audit        = bt.Audit
)
