package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/manager"
	"github.com/partsedge/partsedge/inventory"
)

// Codes for device requests.
const (
	CodeDeviceUnavailable inventory.Code = "device_unavailable"
	CodeNotSupported      inventory.Code = "not_supported"
)

// Devices is what the API needs from the device manager.
type Devices interface {
	Devices() []manager.Status
	Device(id string) (manager.Status, bool)
	Unmatched() []manager.Unmatched
	Scans(after uint64, limit int) ([]manager.ScanRecord, uint64)
	TagEvents(after uint64, limit int) ([]manager.TagRecord, uint64)
	Signal(id string, good bool) error
}

var _ Devices = (*manager.Manager)(nil)

const maxDeviceFeedPage = 1000

type deviceList struct {
	Items     []manager.Status    `json:"items"`
	Unmatched []manager.Unmatched `json:"unmatched"`
}

func (s *server) listDevices(c *gin.Context, _ *inventory.User) {
	out := deviceList{Items: []manager.Status{}, Unmatched: []manager.Unmatched{}}
	if s.devices != nil {
		out.Items = append(out.Items, s.devices.Devices()...)
		out.Unmatched = append(out.Unmatched, s.devices.Unmatched()...)
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) getDevice(c *gin.Context, _ *inventory.User) {
	id := c.Param("id")
	if s.devices != nil {
		if st, ok := s.devices.Device(id); ok {
			c.JSON(http.StatusOK, st)
			return
		}
	}
	s.fail(c, apiErrf(inventory.CodeNotFound, "id", "no device %q", id))
}

type signalBody struct {
	Good *bool `json:"good"`
}

// signalDevice beeps a device good or bad: how an admin checks a scanner
// is the one at the counter it is configured for. A repeat with the same
// Idempotency-Key does not beep again.
func (s *server) signalDevice(c *gin.Context, _ *inventory.User, raw []byte) (int, any, error) {
	var body signalBody
	if err := s.decodeOptional(raw, &body); err != nil {
		return 0, nil, err
	}
	if body.Good == nil {
		return 0, nil, apiErr(inventory.CodeInvalid, "good", "say true (a good-read beep) or false (an error beep)")
	}
	id := c.Param("id")
	if s.devices == nil {
		return 0, nil, apiErrf(inventory.CodeNotFound, "id", "no device %q", id)
	}
	if _, ok := s.devices.Device(id); !ok {
		return 0, nil, apiErrf(inventory.CodeNotFound, "id", "no device %q", id)
	}
	err := s.devices.Signal(id, *body.Good)
	switch {
	case errors.Is(err, devices.ErrNotSupported):
		return 0, nil, apiErrf(CodeNotSupported, "id", "device %s cannot beep or light up", id)
	case err != nil:
		return 0, nil, apiErrf(CodeDeviceUnavailable, "id", "the device cannot signal: %v", err)
	}
	return http.StatusOK, signalAnswer{Device: id, Good: *body.Good}, nil
}

type signalAnswer struct {
	Device string `json:"device"`
	Good   bool   `json:"good"`
}

type feedPage[T any] struct {
	Items []T    `json:"items"`
	Next  uint64 `json:"next"`
}

// listScans serves the scans the devices read, oldest first, for screens
// and scripts that follow them with ?after=next.
func (s *server) listScans(c *gin.Context, _ *inventory.User) {
	device, station := c.Query("device"), c.Query("station")
	serveFeed(s, c, func(after uint64) []manager.ScanRecord {
		if s.devices == nil {
			return nil
		}
		items, _ := s.devices.Scans(after, 0)
		return items
	}, func(r manager.ScanRecord) (uint64, bool) {
		return r.ID, (device == "" || r.Device == device) && (station == "" || r.Station == station)
	})
}

// listTagEvents serves smoothed tag-seen and tag-gone events.
func (s *server) listTagEvents(c *gin.Context, _ *inventory.User) {
	device, zone := c.Query("device"), c.Query("zone")
	serveFeed(s, c, func(after uint64) []manager.TagRecord {
		if s.devices == nil {
			return nil
		}
		items, _ := s.devices.TagEvents(after, 0)
		return items
	}, func(r manager.TagRecord) (uint64, bool) {
		return r.ID, (device == "" || r.Device == device) && (zone == "" || r.Zone == zone)
	})
}

// serveFeed answers one page of a kept feed: the items after ?after= that
// match, at most ?limit=, and the id to ask after next. Next moves past
// items the filter skipped, so a follower never reads them again.
func serveFeed[T any](s *server, c *gin.Context, kept func(after uint64) []T, match func(T) (id uint64, ok bool)) {
	after, limit, ok := s.feedQuery(c)
	if !ok {
		return
	}
	out := feedPage[T]{Items: []T{}, Next: after}
	for _, r := range kept(after) {
		id, ok := match(r)
		out.Next = id
		if ok {
			out.Items = append(out.Items, r)
			if len(out.Items) == limit {
				break
			}
		}
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) feedQuery(c *gin.Context) (after uint64, limit int, ok bool) {
	limit, err := queryLimit(c, defaultPage, maxDeviceFeedPage)
	if err != nil {
		s.fail(c, err)
		return 0, 0, false
	}
	if v := c.Query("after"); v != "" {
		if after, err = strconv.ParseUint(v, 10, 64); err != nil {
			s.fail(c, apiErr(inventory.CodeInvalid, "after", "must be the next value of an earlier page (a whole number)"))
			return 0, 0, false
		}
	}
	return after, limit, true
}
