package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/devices/station"
	"github.com/partsedge/partsedge/inventory"
)

// Stations is what the API needs from the station router.
type Stations interface {
	Stations() []station.Info
	Station(id string) (station.Info, bool)
	Scan(ctx context.Context, stationID, actor, aimID, data string) (station.Outcome, error)
	Subscribe(stationID string, after uint64) ([]station.Outcome, <-chan station.Outcome, func(), error)
	Begin(stationID string, req station.OperationRequest) (station.Info, error)
}

var _ Stations = (*station.Router)(nil)

// sseHeartbeat keeps proxies and the browser from closing an idle stream.
const sseHeartbeat = 15 * time.Second

func (s *server) listStations(c *gin.Context, _ *inventory.User) {
	items := []station.Info{}
	if s.stations != nil {
		items = append(items, s.stations.Stations()...)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (s *server) getStation(c *gin.Context, _ *inventory.User) {
	id := c.Param("id")
	if s.stations != nil {
		if in, ok := s.stations.Station(id); ok {
			c.JSON(http.StatusOK, in)
			return
		}
	}
	s.fail(c, apiErrf(inventory.CodeNotFound, "id", "no station %q", id))
}

type scanBody struct {
	Data  string `json:"data"`
	AIMID string `json:"aimId"`
}

// postScan takes a scan from a handheld (or a screen's keyboard-wedge
// field) and answers with its outcome. A rejected scan is still an answer
// (200 with "good": false and the reason's code): the scan reached the
// station and was judged. A retry with the same Idempotency-Key gets the
// first outcome and scans nothing again.
func (s *server) postScan(c *gin.Context, u *inventory.User, raw []byte) (int, any, error) {
	var body scanBody
	if err := s.decodeOptional(raw, &body); err != nil {
		return 0, nil, err
	}
	if body.Data == "" {
		return 0, nil, apiErr(inventory.CodeInvalid, "data", "the scanned data is required")
	}
	if len(body.Data) > 4096 {
		return 0, nil, apiErr(inventory.CodeInvalid, "data", "is longer than 4096 bytes")
	}
	if body.AIMID != "" && (len(body.AIMID) != 3 || body.AIMID[0] != ']') {
		return 0, nil, apiErr(inventory.CodeInvalid, "aimId", "an AIM symbology identifier is ] and two characters, such as ]C1")
	}
	id := c.Param("id")
	if s.stations == nil {
		return 0, nil, apiErrf(inventory.CodeNotFound, "id", "no station %q", id)
	}
	out, err := s.stations.Scan(c.Request.Context(), id, u.Name, body.AIMID, body.Data)
	if errors.Is(err, station.ErrNoStation) {
		return 0, nil, apiErrf(inventory.CodeNotFound, "id", "no station %q", id)
	}
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

// stationEvents streams a station's outcomes as server-sent events: the
// kept ones after ?after= (or the Last-Event-ID a reconnecting browser
// sends), then each new one as it happens.
func (s *server) stationEvents(c *gin.Context, _ *inventory.User) {
	id := c.Param("id")
	if s.stations == nil {
		s.fail(c, apiErrf(inventory.CodeNotFound, "id", "no station %q", id))
		return
	}
	afterText := c.Query("after")
	if afterText == "" {
		afterText = c.GetHeader("Last-Event-ID")
	}
	var after uint64
	if afterText != "" {
		n, err := strconv.ParseUint(strings.TrimSpace(afterText), 10, 64)
		if err != nil {
			s.fail(c, apiErr(inventory.CodeInvalid, "after", "must be the id of an earlier event (a whole number)"))
			return
		}
		after = n
	}
	backlog, live, cancel, err := s.stations.Subscribe(id, after)
	if errors.Is(err, station.ErrNoStation) {
		s.fail(c, apiErrf(inventory.CodeNotFound, "id", "no station %q", id))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	defer cancel()
	stream, ok := startSSE(c)
	if !ok {
		return
	}
	send := func(o station.Outcome) bool {
		if !stream.event(o.ID, "scan", o) {
			return false
		}
		stream.flush()
		return true
	}
	for _, o := range backlog {
		if !send(o) {
			return
		}
	}
	tick := time.NewTicker(sseHeartbeat)
	defer tick.Stop()
	ctx := c.Request.Context()
	for {
		select {
		case <-ctx.Done():
			return
		case o, ok := <-live:
			if !ok {
				return // the station router is shutting down
			}
			if !send(o) {
				return
			}
		case <-tick.C:
			if !stream.ping() {
				return
			}
		}
	}
}

// startOperation starts an operation at a station (receiving PO-123 into
// quarantine, or back to identifying). A repeat with the same key changes
// nothing more.
func (s *server) startOperation(c *gin.Context, u *inventory.User, raw []byte) (int, any, error) {
	var req station.OperationRequest
	if err := s.decodeOptional(raw, &req); err != nil {
		return 0, nil, err
	}
	req.StartedBy = u.Name
	id := c.Param("id")
	if s.stations == nil {
		return 0, nil, apiErrf(inventory.CodeNotFound, "id", "no station %q", id)
	}
	in, err := s.stations.Begin(id, req)
	switch {
	case errors.Is(err, station.ErrNoStation):
		return 0, nil, apiErrf(inventory.CodeNotFound, "id", "no station %q", id)
	case errors.Is(err, station.ErrBadOperation):
		return 0, nil, apiErrf(inventory.CodeInvalid, "kind", "the operation cannot start: %s",
			// The station's reason (English, from devices/station) is the value.
			strings.TrimPrefix(err.Error(), station.ErrBadOperation.Error()+": "))
	case err != nil:
		return 0, nil, err // a domain refusal (unknown order, closed order, unknown location) keeps its code
	}
	return http.StatusOK, in, nil
}
