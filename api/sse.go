package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

// sseStream writes a server-sent event stream (the station's outcomes, the
// notices): the headers, the reconnect hint, events with ids a browser
// resumes from, and heartbeats. Each write says whether the client is
// still there.
type sseStream struct{ w gin.ResponseWriter }

// startSSE answers 200 with the stream's headers and the retry hint, which
// tells the browser how soon to reconnect.
func startSSE(c *gin.Context) (*sseStream, bool) {
	w := c.Writer
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not hold the stream back
	w.WriteHeader(http.StatusOK)
	if _, err := w.WriteString("retry: 2000\n\n"); err != nil {
		return nil, false
	}
	w.Flush()
	return &sseStream{w: w}, true
}

// event writes one event, v as its JSON data; flush sends what is written.
func (s *sseStream) event(id uint64, name string, v any) bool {
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	if _, err := s.w.WriteString("id: " + strconv.FormatUint(id, 10) + "\nevent: " + name + "\ndata: "); err != nil {
		return false
	}
	if _, err := s.w.Write(b); err != nil {
		return false
	}
	_, err = s.w.WriteString("\n\n")
	return err == nil
}

func (s *sseStream) flush() { s.w.Flush() }

// ping keeps proxies and the browser from closing an idle stream.
func (s *sseStream) ping() bool {
	if _, err := s.w.WriteString(": ping\n\n"); err != nil {
		return false
	}
	s.w.Flush()
	return true
}
