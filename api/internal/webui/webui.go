// Package webui serves the web screens of depotd and hqd from files
// embedded in the binaries: no separate web server, nothing fetched from
// the internet, no build step. One shell page and one script (app.js, the
// global PE) are shared; each daemon brings its own screens, one file per
// screen, loaded in name order. The browser translates with the same
// catalogues the APIs use (package i18n).
package webui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/i18n"
)

//go:embed static
var static embed.FS

// Site is one daemon's web UI.
type Site struct {
	// App names the daemon ("depot" or "hq"); the page carries it so the
	// shared script can tell which API it talks to.
	App string
	// Title is the English title of the page, translated in the browser.
	Title string
	// Screens holds the daemon's screens/*.js (and any screens/*.css).
	Screens fs.FS
}

// asset is one file ready to serve.
type asset struct {
	body  []byte
	ctype string
	etag  string
}

func newAsset(name string, body []byte) asset {
	sum := sha256.Sum256(body)
	ctype := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".js":
		ctype = "text/javascript; charset=utf-8"
	case ".css":
		ctype = "text/css; charset=utf-8"
	case ".json":
		ctype = "application/json; charset=utf-8"
	case ".svg":
		ctype = "image/svg+xml"
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	return asset{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}

// Routes lists what Mount serves, for the route tables of the APIs' tests.
func Routes() []string { return []string{"GET /", "GET /ui/*file"} }

// Mount serves the site on e: the page at /, the assets under /ui/.
// Every asset is read and hashed here, once, so a missing or unreadable
// file stops the daemon at start rather than showing a broken page.
func Mount(e *gin.Engine, site Site) error {
	assets := map[string]asset{}
	for _, name := range []string{"app.js", "app.css", "icon.svg"} {
		b, err := static.ReadFile("static/" + name)
		if err != nil {
			return fmt.Errorf("web ui: %w", err)
		}
		assets[name] = newAsset(name, b)
	}
	var scripts, styles []string
	for _, pattern := range []string{"screens/*.js", "screens/*.css"} {
		names, err := fs.Glob(site.Screens, pattern)
		if err != nil {
			return fmt.Errorf("web ui: %w", err)
		}
		slices.Sort(names)
		for _, name := range names {
			b, err := fs.ReadFile(site.Screens, name)
			if err != nil {
				return fmt.Errorf("web ui: %w", err)
			}
			assets[name] = newAsset(name, b)
			if strings.HasSuffix(name, ".js") {
				scripts = append(scripts, name)
			} else {
				styles = append(styles, name)
			}
		}
	}
	if len(scripts) == 0 {
		return fmt.Errorf("web ui %s: no screens/*.js", site.App)
	}
	cat := i18n.Default()
	for _, l := range i18n.Langs {
		texts := cat.Texts(l)
		if texts == nil {
			texts = map[string]string{}
		}
		b, err := json.Marshal(texts)
		if err != nil {
			return fmt.Errorf("web ui: catalogue %s: %w", l, err)
		}
		name := "i18n/" + string(l) + ".json"
		assets[name] = newAsset(name, b)
	}
	// The page names each asset with its hash, so a new binary's files are
	// never mixed with an old one's held by the browser.
	version := func(name string) string { return "/ui/" + name + "?v=" + strings.Trim(assets[name].etag, `"`) }
	page, err := renderPage(site, version, scripts, styles)
	if err != nil {
		return err
	}
	e.GET("/", func(c *gin.Context) {
		secure(c)
		// The page itself is tiny and names versioned assets: never cache it.
		c.Header("Cache-Control", "no-store")
		c.Data(http.StatusOK, "text/html; charset=utf-8", page)
	})
	e.GET("/ui/*file", func(c *gin.Context) {
		name := strings.TrimPrefix(c.Param("file"), "/")
		a, ok := assets[name]
		if !ok {
			secure(c)
			c.Data(http.StatusNotFound, "text/plain; charset=utf-8", []byte("not found\n"))
			return
		}
		secure(c)
		c.Header("ETag", a.etag)
		if c.Query("v") != "" {
			c.Header("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			c.Header("Cache-Control", "no-cache")
		}
		if match := c.GetHeader("If-None-Match"); match != "" && match == a.etag {
			c.Status(http.StatusNotModified)
			return
		}
		c.Data(http.StatusOK, a.ctype, a.body)
	})
	return nil
}

// secure sets the headers that keep the screens from being framed or fed
// scripts from elsewhere: everything the UI loads is its own.
func secure(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "+
		"img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{{.Title}}</title>
<link rel="icon" href="{{.Icon}}">
<link rel="stylesheet" href="{{.CSS}}">
{{range .Styles}}<link rel="stylesheet" href="{{.}}">
{{end}}<script src="{{.App}}" defer></script>
{{range .Scripts}}<script src="{{.}}" defer></script>
{{end}}</head>
<body data-app="{{.Name}}" data-title="{{.Title}}">
<a class="skip" href="#main">Skip to content</a>
<noscript>This page needs JavaScript.</noscript>
</body>
</html>
`))

func renderPage(site Site, version func(string) string, scripts, styles []string) ([]byte, error) {
	data := struct {
		Name, Title, Icon, CSS, App string
		Scripts, Styles             []string
	}{Name: site.App, Title: site.Title, Icon: version("icon.svg"), CSS: version("app.css"), App: version("app.js")}
	for _, s := range scripts {
		data.Scripts = append(data.Scripts, version(s))
	}
	for _, s := range styles {
		data.Styles = append(data.Styles, version(s))
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("web ui page: %w", err)
	}
	return buf.Bytes(), nil
}
