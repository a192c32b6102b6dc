package webui

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"
)

func mount(t *testing.T, screens fstest.MapFS) *gin.Engine {
	t.Helper()
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	if err := Mount(e, Site{App: "depot", Title: "Partsedge depot", Screens: screens}); err != nil {
		t.Fatal(err)
	}
	return e
}

func get(e http.Handler, path string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	return w
}

func TestPageLoadsEveryScreenInNameOrder(t *testing.T) {
	e := mount(t, fstest.MapFS{
		"screens/20-b.js":  {Data: []byte("PE.screen({id:'b'})")},
		"screens/10-a.js":  {Data: []byte("PE.screen({id:'a'})")},
		"screens/10-a.css": {Data: []byte(".a{}")},
		"screens/notes.md": {Data: []byte("not served")},
	})
	w := get(e, "/")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	page := w.Body.String()
	scripts := regexp.MustCompile(`<script src="([^"?]+)\?v=[0-9a-f]{16}" defer>`).FindAllStringSubmatch(page, -1)
	var got []string
	for _, m := range scripts {
		got = append(got, m[1])
	}
	if want := "/ui/app.js /ui/screens/10-a.js /ui/screens/20-b.js"; strings.Join(got, " ") != want {
		t.Errorf("scripts %v, want %s", got, want)
	}
	if !strings.Contains(page, `href="/ui/screens/10-a.css?v=`) || strings.Contains(page, "notes.md") {
		t.Errorf("styles: %s", page)
	}
	if !strings.Contains(page, `data-app="depot"`) || !strings.Contains(page, `<title>Partsedge depot</title>`) {
		t.Errorf("page lacks the site: %s", page)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"} {
		if w.Header().Get(h) == "" {
			t.Errorf("GET / lacks %s", h)
		}
	}
	if csp := w.Header().Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("page Cache-Control %q", w.Header().Get("Cache-Control"))
	}
}

func TestAssets(t *testing.T) {
	e := mount(t, fstest.MapFS{"screens/a.js": {Data: []byte("PE.screen({id:'a'})")}})
	for _, tc := range []struct {
		path, ctype string
		status      int
		has         string
	}{
		{"/ui/app.js", "text/javascript; charset=utf-8", 200, "PE.screen ="},
		{"/ui/app.css", "text/css; charset=utf-8", 200, ".feedback"},
		{"/ui/icon.svg", "image/svg+xml", 200, "<svg"},
		{"/ui/screens/a.js", "text/javascript; charset=utf-8", 200, "id:'a'"},
		{"/ui/i18n/zh-Hant.json", "application/json; charset=utf-8", 200, "庫存不足"},
		{"/ui/i18n/zh-Hans.json", "application/json; charset=utf-8", 200, "库存不足"},
		{"/ui/i18n/en.json", "application/json; charset=utf-8", 200, "{}"},
		{"/ui/i18n/fr.json", "text/plain; charset=utf-8", 404, "not found"},
		{"/ui/../webui.go", "text/plain; charset=utf-8", 404, "not found"},
		{"/ui/static/app.js", "text/plain; charset=utf-8", 404, "not found"},
	} {
		w := get(e, tc.path)
		if w.Code != tc.status || w.Header().Get("Content-Type") != tc.ctype || !strings.Contains(w.Body.String(), tc.has) {
			t.Errorf("GET %s = %d %q %.60q; want %d %q with %q", tc.path, w.Code, w.Header().Get("Content-Type"), w.Body.String(), tc.status, tc.ctype, tc.has)
		}
		if w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s lacks nosniff", tc.path)
		}
	}
	// The catalogue the browser gets is the APIs' own.
	var cat map[string]string
	if err := json.Unmarshal(get(e, "/ui/i18n/zh-Hans.json").Body.Bytes(), &cat); err != nil || cat["Insufficient stock"] != "库存不足" {
		t.Errorf("zh-Hans catalogue: %v %q", err, cat["Insufficient stock"])
	}
}

func TestAssetCaching(t *testing.T) {
	e := mount(t, fstest.MapFS{"screens/a.js": {Data: []byte("PE.screen({id:'a'})")}})
	w := get(e, "/ui/app.js")
	etag := w.Header().Get("ETag")
	if etag == "" || w.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("unversioned asset: ETag %q Cache-Control %q", etag, w.Header().Get("Cache-Control"))
	}
	if w := get(e, "/ui/app.js", "If-None-Match", etag); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d with %d bytes", w.Code, w.Body.Len())
	}
	if w := get(e, "/ui/app.js", "If-None-Match", `"other"`); w.Code != http.StatusOK {
		t.Errorf("a stale ETag: %d", w.Code)
	}
	// The page names versioned assets, which may be kept for good.
	if w := get(e, "/ui/app.js?v="+strings.Trim(etag, `"`)); !strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("versioned asset Cache-Control %q", w.Header().Get("Cache-Control"))
	}
	if !strings.Contains(get(e, "/").Body.String(), "/ui/app.js?v="+strings.Trim(etag, `"`)) {
		t.Error("the page does not name app.js by its hash")
	}
}

func TestMountRefusesASiteWithoutScreens(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	err := Mount(gin.New(), Site{App: "hq", Screens: fstest.MapFS{"screens/readme.txt": {Data: []byte("x")}}})
	if err == nil || !strings.Contains(err.Error(), "no screens") {
		t.Fatalf("err = %v", err)
	}
}
