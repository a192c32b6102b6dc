package export

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/problem"
	"github.com/partsedge/partsedge/inventory"
)

// Send is Serve for both APIs' handlers. It returns the error to answer
// with when nothing went out yet (a table longer than a sheet becomes a
// too_large refusal the caller can act on); a failure after the first
// bytes is logged and breaks the connection, so a cut file is never taken
// for a whole one.
func Send(c *gin.Context, log *slog.Logger, f Format, filename string, t Table) error {
	sent, err := Serve(c, f, filename, t)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrTooManyRows):
		return inventory.Errorf(inventory.CodeTooLarge, "limit", "more rows than one XLSX sheet holds (1,048,575): export as CSV, or narrow the query")
	case !sent:
		return err
	}
	log.Error("export failed mid-stream", "path", c.Request.URL.Path, "err", err.Error())
	panic(http.ErrAbortHandler)
}

// Serve answers t in f as an attachment named filename, titles in the
// caller's language (their own choice, else Accept-Language). The 200 goes out with the first byte, so when
// Serve fails before that (sent false) the caller still answers with a
// problem: the headers Serve set are taken back. When it fails after
// (sent true) the caller must break the connection (panic with
// http.ErrAbortHandler) so a cut file is never taken for a whole one.
// CSV streams as it is written; XLSX is assembled first (the stream writer
// spills to a temporary file), so its failures come before any byte.
func Serve(c *gin.Context, f Format, filename string, t Table) (sent bool, err error) {
	lang := problem.LangOf(c)
	h := c.Writer.Header()
	h.Set("Content-Type", f.MediaType())
	h.Set("Content-Disposition", ContentDisposition(filename))
	h.Set("Content-Language", string(lang))
	h.Set("Cache-Control", "no-store")
	err = Write(&lazyWriter{c: c}, f, lang, t)
	if err == nil {
		if !c.Writer.Written() {
			c.Status(http.StatusOK)
			c.Writer.WriteHeaderNow()
		}
		return true, nil
	}
	if c.Writer.Written() {
		return true, err
	}
	for _, k := range []string{"Content-Type", "Content-Disposition", "Content-Language", "Cache-Control"} {
		h.Del(k)
	}
	return false, err
}

// lazyWriter sends the status with the first byte.
type lazyWriter struct{ c *gin.Context }

func (w *lazyWriter) Write(p []byte) (int, error) {
	if !w.c.Writer.Written() {
		w.c.Status(http.StatusOK)
	}
	return w.c.Writer.Write(p)
}
