// Package station routes what the depot's scanners and readers read to the
// work going on where they are. A station (a receiving dock, an issue
// counter, a count zone) has devices and one active operation; each scan is
// turned into an identity (GS1 item, SSCC, document label, part code, EPC),
// handed to the operation, and the outcome goes back to the operator: a
// good or bad beep on devices that can, and an event on the station's
// stream for screens.
//
// Scans from devices are queued per station and handled in order on the
// station's own goroutine, so a device's read loop never waits on the
// ledger, and two scans at one counter never race each other.
package station

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// Stable codes an outcome carries when a scan is rejected. Operations add
// their own (wrong part, wrong lot, expired lot, already counted ...).
const (
	CodeUnreadable  = "unreadable"
	CodeUnknownCode = "unknown_code"
	CodeBusy        = "station_busy"
	CodeNotHandled  = "not_handled"
	// CodeLookupFailed: the ledger could not be read; scanning again may work.
	CodeLookupFailed = "lookup_failed"
)

// Outcome is what a station tells the operator about one scan.
type Outcome struct {
	ID        uint64    `json:"id"`
	Station   string    `json:"station"`
	Device    string    `json:"device,omitempty"`
	Actor     string    `json:"actor,omitempty"`
	At        time.Time `json:"at"`
	Data      string    `json:"data"`
	AIMID     string    `json:"aimId,omitempty"`
	Operation string    `json:"operation"`
	Ref       string    `json:"ref,omitempty"`
	Identity  *Identity `json:"identity,omitempty"`
	Good      bool      `json:"good"`
	// Code is the stable reason a scan was rejected; empty when good.
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
	// Part and Stock say what the scan was found to be, where it applies.
	Part  *inventory.Part     `json:"part,omitempty"`
	Stock []inventory.Balance `json:"stock,omitempty"`
	// Seq is the ledger event a scan wrote, when it wrote one.
	Seq uint64 `json:"seq,omitempty"`
}

// Input is one scan handed to an operation.
type Input struct {
	Station, Device, Actor string
	At                     time.Time
	Identity               Identity
}

// Result is an operation's verdict on one scan.
type Result struct {
	Good    bool
	Code    string
	Message string
	Part    *inventory.Part
	Stock   []inventory.Balance
	Seq     uint64
}

// Operation is the work a station is doing.
type Operation interface {
	// Kind names the operation ("identify", "receive" ...).
	Kind() string
	// Ref is the document it works on, empty when none.
	Ref() string
	// Handle decides on one scan; it is called on the station's goroutine.
	Handle(ctx context.Context, in Input) Result
}

// Signaller beeps a device good or bad (the device manager).
type Signaller interface {
	Signal(device string, good bool) error
}

// Clock is where the router reads the time.
type Clock interface{ Now() time.Time }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Options wire a Router.
type Options struct {
	// Stations are the stations' ids; more appear as devices name them.
	Stations []string
	// Idle makes the operation a station runs when none is started.
	Idle func() Operation
	// Make builds the operation a request names (Begin); nil allows none.
	Make func(OperationRequest) (Operation, error)
	// Signal beeps devices; nil sends no beeps.
	Signal Signaller
	Clock  Clock
	Log    *slog.Logger
	// Keep is how many outcomes a station keeps for screens that connect
	// late or reconnect; default 200. Queue bounds the scans waiting per
	// station; default 256.
	Keep, Queue int
}

// Router owns the stations.
type Router struct {
	opt   Options
	clock Clock
	log   *slog.Logger

	mu       sync.Mutex
	stations map[string]*station
	ctx      context.Context
	wg       sync.WaitGroup
}

type station struct {
	id    string
	queue chan job

	mu     sync.Mutex
	op     Operation
	kept   []Outcome
	nextID uint64
	subs   map[chan Outcome]struct{}
	scans  uint64
	bad    uint64
}

type job struct {
	in    Input
	data  string
	aimID string
	reply chan Outcome // nil for device scans
	tag   *TagInput    // an RFID tag-seen event instead of a scan
}

// ErrNoStation is returned for a station id nobody configured.
var ErrNoStation = errors.New("no such station")

// New makes a router; Run starts the stations' goroutines.
func New(opt Options) *Router {
	if opt.Keep <= 0 {
		opt.Keep = 200
	}
	if opt.Queue <= 0 {
		opt.Queue = 256
	}
	r := &Router{opt: opt, clock: opt.Clock, log: opt.Log, stations: map[string]*station{}}
	if r.clock == nil {
		r.clock = systemClock{}
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	for _, id := range opt.Stations {
		r.station(id)
	}
	return r
}

// Run serves every station until ctx ends.
func (r *Router) Run(ctx context.Context) {
	r.mu.Lock()
	r.ctx = ctx
	for _, s := range r.stations {
		r.start(s)
	}
	r.mu.Unlock()
	<-ctx.Done()
	r.wg.Wait()
}

// station returns the station with the id, making it when new.
func (r *Router) station(id string) *station {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s := r.stations[id]; s != nil {
		return s
	}
	s := &station{id: id, queue: make(chan job, r.opt.Queue), subs: map[chan Outcome]struct{}{}}
	if r.opt.Idle != nil {
		s.op = r.opt.Idle()
	}
	r.stations[id] = s
	if r.ctx != nil {
		r.start(s)
	}
	return s
}

func (r *Router) start(s *station) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			select {
			case <-r.ctx.Done():
				return
			case j := <-s.queue:
				out := r.handle(r.ctx, s, j)
				if j.reply != nil {
					j.reply <- out
				}
			}
		}
	}()
}

// Known reports whether a station exists.
func (r *Router) Known(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stations[id] != nil
}

// DeviceScan routes a scan from a device at a station. It never blocks: a
// station whose queue is full answers "busy" with a bad beep, and the
// operator scans again.
func (r *Router) DeviceScan(stationID, device, aimID, data string, at time.Time) {
	if stationID == "" {
		return // a device that serves no station: its scans stay on the device feed
	}
	s := r.station(stationID)
	j := job{in: Input{Station: stationID, Device: device, Actor: "device:" + device, At: at}, data: data, aimID: aimID}
	select {
	case s.queue <- j:
	default:
		out := r.record(s, j, Result{Code: CodeBusy, Message: "the station is still handling earlier scans; scan again"}, nil)
		r.signal(out)
	}
}

// Scan routes a scan a person sent from a handheld (the API) and waits for
// the outcome.
func (r *Router) Scan(ctx context.Context, stationID, actor, aimID, data string) (Outcome, error) {
	if !r.Known(stationID) {
		return Outcome{}, fmt.Errorf("station %q: %w", stationID, ErrNoStation)
	}
	s := r.station(stationID)
	j := job{in: Input{Station: stationID, Actor: actor, At: r.clock.Now()}, data: data, aimID: aimID, reply: make(chan Outcome, 1)}
	select {
	case s.queue <- j:
	case <-ctx.Done():
		return Outcome{}, ctx.Err()
	}
	select {
	case out := <-j.reply:
		return out, nil
	case <-ctx.Done():
		return Outcome{}, ctx.Err()
	}
}

// DeviceTag routes a smoothed tag-seen event of a reader bound to a
// station. It never blocks, and a station whose operation takes no tags
// leaves no trace of them: a door reader's traffic is not the screen's
// business. A tag whose EPC cannot be decoded is reported on the stream.
func (r *Router) DeviceTag(stationID, device, zone, epcHex string, at time.Time) {
	if stationID == "" {
		return
	}
	s := r.station(stationID)
	s.mu.Lock()
	_, takes := s.op.(TagHandler)
	s.mu.Unlock()
	if !takes {
		return
	}
	j := job{in: Input{Station: stationID, Device: device, Actor: "device:" + device, At: at}, data: epcHex,
		tag: &TagInput{Station: stationID, Device: device, Zone: zone, EPC: epcHex, At: at}}
	select {
	case s.queue <- j:
	default:
		r.record(s, j, Result{Code: CodeBusy, Message: "the station is still handling earlier reads; tag " + epcHex + " was not counted"}, nil)
	}
}

func (r *Router) handleTag(ctx context.Context, s *station, j job) {
	id, err := FromEPC(j.data)
	if err != nil {
		r.record(s, j, Result{Code: CodeUnreadable, Message: "tag " + j.data + ": " + err.Error()}, nil)
		return
	}
	j.tag.Identity = id
	s.mu.Lock()
	th, ok := s.op.(TagHandler)
	s.mu.Unlock()
	if !ok {
		return
	}
	if res, record := th.HandleTag(ctx, *j.tag); record {
		r.record(s, j, res, &id)
	}
}

func (r *Router) handle(ctx context.Context, s *station, j job) Outcome {
	if j.tag != nil {
		r.handleTag(ctx, s, j)
		return Outcome{}
	}
	id, err := FromScan(j.aimID, j.data, j.in.At)
	if err != nil {
		out := r.record(s, j, Result{Code: CodeUnreadable, Message: err.Error()}, nil)
		r.signal(out)
		return out
	}
	j.in.Identity = id
	s.mu.Lock()
	op := s.op
	s.mu.Unlock()
	var res Result
	if op == nil {
		res = Result{Code: CodeNotHandled, Message: "no operation is running at this station"}
	} else {
		res = op.Handle(ctx, j.in)
	}
	out := r.record(s, j, res, &id)
	r.signal(out)
	return out
}

func (r *Router) record(s *station, j job, res Result, id *Identity) Outcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	out := Outcome{
		ID: s.nextID, Station: s.id, Device: j.in.Device, Actor: j.in.Actor, At: j.in.At,
		Data: j.data, AIMID: j.aimID, Identity: id, Good: res.Good, Code: res.Code, Message: res.Message,
		Part: res.Part, Stock: res.Stock, Seq: res.Seq,
	}
	if s.op != nil {
		out.Operation, out.Ref = s.op.Kind(), s.op.Ref()
	}
	if out.At.IsZero() {
		out.At = r.clock.Now()
	}
	s.scans++
	if !out.Good {
		s.bad++
	}
	s.kept = append(s.kept, out)
	if len(s.kept) > r.opt.Keep {
		s.kept = append(s.kept[:0], s.kept[len(s.kept)-r.opt.Keep:]...)
	}
	for ch := range s.subs {
		select {
		case ch <- out:
		default:
			// A screen that does not keep up misses live events; it
			// catches up from the kept ones when it reconnects.
		}
	}
	r.log.Info("station scan", "station", s.id, "device", out.Device, "good", out.Good, "code", out.Code, "message", out.Message)
	return out
}

func (r *Router) signal(out Outcome) {
	r.mu.Lock()
	sig := r.opt.Signal
	r.mu.Unlock()
	if sig == nil || out.Device == "" {
		return
	}
	if err := sig.Signal(out.Device, out.Good); err != nil {
		r.log.Debug("no beep", "device", out.Device, "err", err)
	}
}

// SetSignaller sets where beeps go, for wiring that makes the router
// before the devices. Call it before Run.
func (r *Router) SetSignaller(s Signaller) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.opt.Signal = s
}

// Start makes op the station's operation and returns the one it replaces.
func (r *Router) Start(stationID string, op Operation) (Operation, error) {
	if !r.Known(stationID) {
		return nil, fmt.Errorf("station %q: %w", stationID, ErrNoStation)
	}
	s := r.station(stationID)
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.op
	s.op = op
	return prev, nil
}

// Begin starts the operation req names at a station, replacing the one it
// runs, and returns the station's info.
func (r *Router) Begin(stationID string, req OperationRequest) (Info, error) {
	if !r.Known(stationID) {
		return Info{}, fmt.Errorf("station %q: %w", stationID, ErrNoStation)
	}
	if r.opt.Make == nil {
		return Info{}, fmt.Errorf("%w: this depot runs no operations", ErrBadOperation)
	}
	op, err := r.opt.Make(req)
	if err != nil {
		return Info{}, err
	}
	if _, err := r.Start(stationID, op); err != nil {
		return Info{}, err
	}
	r.log.Info("station operation started", "station", stationID, "kind", op.Kind(), "ref", op.Ref())
	in, _ := r.Station(stationID)
	return in, nil
}

// Info is a station as the API shows it.
type Info struct {
	ID        string `json:"id"`
	Operation string `json:"operation"`
	Ref       string `json:"ref,omitempty"`
	Scans     uint64 `json:"scans"`
	Rejected  uint64 `json:"rejected"`
	LastID    uint64 `json:"lastId"`
}

// Stations lists the stations by id.
func (r *Router) Stations() []Info {
	r.mu.Lock()
	ss := make([]*station, 0, len(r.stations))
	for _, s := range r.stations {
		ss = append(ss, s)
	}
	r.mu.Unlock()
	out := make([]Info, len(ss))
	for i, s := range ss {
		out[i] = s.info()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Station returns one station's info.
func (r *Router) Station(id string) (Info, bool) {
	if !r.Known(id) {
		return Info{}, false
	}
	return r.station(id).info(), true
}

func (s *station) info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := Info{ID: s.id, Scans: s.scans, Rejected: s.bad, LastID: s.nextID}
	if s.op != nil {
		in.Operation, in.Ref = s.op.Kind(), s.op.Ref()
	}
	return in
}

// Subscribe returns the kept outcomes after the id, and a channel of the
// ones to come; cancel stops them. The channel is buffered; a subscriber
// that falls behind misses live outcomes and should reconnect with the last
// id it saw.
func (r *Router) Subscribe(stationID string, after uint64) (backlog []Outcome, live <-chan Outcome, cancel func(), err error) {
	if !r.Known(stationID) {
		return nil, nil, nil, fmt.Errorf("station %q: %w", stationID, ErrNoStation)
	}
	s := r.station(stationID)
	ch := make(chan Outcome, 64)
	s.mu.Lock()
	for _, o := range s.kept {
		if o.ID > after {
			backlog = append(backlog, o)
		}
	}
	s.subs[ch] = struct{}{}
	s.mu.Unlock()
	var once sync.Once
	return backlog, ch, func() {
		once.Do(func() {
			s.mu.Lock()
			delete(s.subs, ch)
			s.mu.Unlock()
		})
	}, nil
}
