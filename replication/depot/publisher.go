// Package depot is the depot end of replication: the Publisher sends the
// depot's event log to HQ over MQTT and follows HQ's acknowledgements.
//
// The log is the outbox. The publisher reads events after the last ack,
// publishes them as batches in seq order (QoS 1), keeps at most Window
// batches unacknowledged, and on a reconnect or when no ack comes within
// AckTimeout goes back to ack+1 and sends again. Nothing is ever dropped
// for lack of an ack, and nothing depends on the broker or paho keeping a
// message: HQ applies only the exact continuation of what it has, so a
// lost, repeated or reordered batch costs a resend, never an event.
package depot

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
)

// Store is what the publisher needs from the ledger; *inventory.Store
// satisfies it.
type Store interface {
	Depot() string
	Head() inventory.Head
	EachRawEvent(after uint64, fn func(seq uint64, raw []byte) error) error
	ReplicationAck() (inventory.ReplicationAck, error)
	SetReplicationAck(a inventory.ReplicationAck) error
}

var _ Store = (*inventory.Store)(nil)

// Clock is where the publisher reads the time (ack timeouts, progress
// lines, status stamps); tests inject their own.
type Clock interface{ Now() time.Time }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Options configure a Publisher. Store and Broker are required; zero values
// of the rest are defaults.
type Options struct {
	Store Store
	// Commands is where HQ's commands are applied; when nil, Store is used
	// if it takes commands (*inventory.Store does).
	Commands CommandStore
	// Broker is the broker's URL: tcp://host:port or ssl://host:port.
	Broker   string
	Username string
	Password string
	// TLS configures ssl:// connections; nil uses the system roots.
	TLS *tls.Config
	// ClientID defaults to "partsedge-depot-" + the depot id. A depot has
	// one identity; two publishers with one id would take turns evicting
	// each other at the broker.
	ClientID string
	// Version is the software version the status message carries.
	Version string
	// BatchEvents bounds the events per batch (default and maximum
	// replication.MaxBatchEvents).
	BatchEvents int
	// Window bounds the batches published and not yet acknowledged
	// (default 8).
	Window int
	// AckTimeout is how long the publisher waits for an ack to move before
	// it resends from ack+1 (default 10 s).
	AckTimeout time.Duration
	// Poll is how often the publisher looks at the head of the log for new
	// events and checks the ack timeout (default 100 ms): one read of the
	// head under a lock, nothing more when no event came.
	Poll time.Duration
	// SaveEvery bounds how often the last ack is written to the store
	// (default 1 s); it is written on stop too.
	SaveEvery time.Duration
	// ProgressEvery is how often a line reports the progress of a backlog
	// being drained (default 10 s); a line is also written at every 10%.
	ProgressEvery time.Duration
	// StatusEvery is how often the online status is published again when
	// the log has grown since the last one (default 30 s), so HQ sees the
	// depot's head, not only the one it had when it connected.
	StatusEvery time.Duration
	// ReconnectMax caps paho's reconnect backoff (default 10 s).
	ReconnectMax time.Duration
	Clock        Clock
	Log          *slog.Logger
}

func (o *Options) defaults() {
	if o.BatchEvents <= 0 || o.BatchEvents > replication.MaxBatchEvents {
		o.BatchEvents = replication.MaxBatchEvents
	}
	if o.Window <= 0 {
		o.Window = 8
	}
	if o.AckTimeout <= 0 {
		o.AckTimeout = 10 * time.Second
	}
	if o.Poll <= 0 {
		o.Poll = 100 * time.Millisecond
	}
	if o.SaveEvery <= 0 {
		o.SaveEvery = time.Second
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 10 * time.Second
	}
	if o.StatusEvery <= 0 {
		o.StatusEvery = 30 * time.Second
	}
	if o.ReconnectMax <= 0 {
		o.ReconnectMax = 10 * time.Second
	}
	if o.Clock == nil {
		o.Clock = systemClock{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.ClientID == "" {
		o.ClientID = "partsedge-depot-" + o.Store.Depot()
	}
	if o.Version == "" {
		o.Version = "dev"
	}
}

// State is a snapshot of the publisher for the API and metrics.
type State struct {
	Broker    string `json:"broker"`
	Connected bool   `json:"connected"`
	// AckEpoch and AckSeq are HQ's last accepted acknowledgement.
	AckEpoch uint32 `json:"ackEpoch"`
	AckSeq   uint64 `json:"ackSeq"`
	// Head is the last seq in the log; Backlog is Head - AckSeq.
	Head    uint64 `json:"head"`
	Backlog uint64 `json:"backlog"`
	// SentSeq is the last seq published since the last (re)start of the
	// stream; InFlight the batches published and not yet acknowledged.
	SentSeq  uint64 `json:"sentSeq"`
	InFlight int    `json:"inFlight"`
	// LastAckAt is when the ack last moved; zero before the first.
	LastAckAt time.Time `json:"lastAckAt,omitzero"`
	// LagSeconds is how long the oldest unacknowledged event has waited
	// for HQ since the publisher knew of it: 0 with no backlog.
	LagSeconds    float64 `json:"lagSeconds"`
	Batches       uint64  `json:"batches"`
	EventsSent    uint64  `json:"eventsSent"`
	Resends       uint64  `json:"resends"`
	AcksIgnored   uint64  `json:"acksIgnored"`
	PublishErrors uint64  `json:"publishErrors"`
	// Connects counts connections to the broker, the first included.
	Connects uint64 `json:"connects"`
}

// inflight is one published batch waiting for its ack.
type inflight struct {
	from, to uint64
	epoch    uint32
}

// Publisher replicates one depot's log to HQ. Run drives it.
type Publisher struct {
	opts   Options
	store  Store
	depot  string
	client mqtt.Client
	log    *slog.Logger

	topicEvents, topicAck, topicStatus string
	topicCmds, topicCmdAck             string

	// cmds applies HQ's commands on the same connection; nil when the
	// store takes none.
	cmds *commander

	// Paho's callbacks hand over to the run loop through these, so all
	// stream state below has one owner.
	acks chan []byte
	// connChange is signalled on every connect and every loss. Paho calls
	// OnConnect in a goroutine of its own, so the two can arrive in either
	// order: the loop reads the connection's state instead of trusting the
	// order, and connects counts connections so none is missed.
	connChange chan struct{}
	connects   atomic.Uint64

	// Owned by the run loop.
	online     bool
	handled    uint64 // connects the loop has handled
	statusAt   time.Time
	statusSeq  uint64
	sent       uint64 // last seq published in this stream
	maxSent    uint64 // last seq published by this process (or remembered acked)
	subscribed bool
	window     []inflight
	deadline   time.Time // resend when the ack has not moved by then
	savedAck   inventory.ReplicationAck
	savedAt    time.Time
	drain      drainProgress
	backlogAt  time.Time // when the oldest unacknowledged event was first seen

	mu    sync.Mutex // guards st, read by State from other goroutines
	st    State
	ackOK inventory.ReplicationAck
}

// New returns a publisher; nothing connects until Run.
func New(o Options) (*Publisher, error) {
	if o.Store == nil {
		return nil, errors.New("replication publisher: no store")
	}
	if o.Broker == "" {
		return nil, errors.New("replication publisher: no broker URL")
	}
	o.defaults()
	depot := o.Store.Depot()
	if err := replication.ValidDepot(depot); err != nil {
		return nil, fmt.Errorf("replication publisher: %w", err)
	}
	ack, err := o.Store.ReplicationAck()
	if err != nil {
		return nil, fmt.Errorf("replication publisher: %w", err)
	}
	p := &Publisher{
		opts: o, store: o.Store, depot: depot, log: o.Log.With("component", "replication"),
		topicEvents: replication.Topic(depot, replication.KindEvents),
		topicAck:    replication.Topic(depot, replication.KindAck),
		topicStatus: replication.Topic(depot, replication.KindStatus),
		topicCmds:   replication.Topic(depot, replication.KindCommands),
		topicCmdAck: replication.Topic(depot, replication.KindCommandsAck),
		acks:        make(chan []byte, 256),
		connChange:  make(chan struct{}, 1),
		savedAck:    ack,
		ackOK:       ack,
		sent:        ack.Seq,
		maxSent:     ack.Seq,
	}
	if o.Commands == nil {
		o.Commands, _ = o.Store.(CommandStore)
	}
	if o.Commands != nil {
		if p.cmds, err = newCommander(o.Commands, depot, p.log); err != nil {
			return nil, fmt.Errorf("replication publisher: %w", err)
		}
	}
	p.st.Broker = o.Broker
	p.st.AckEpoch, p.st.AckSeq = ack.Epoch, ack.Seq
	p.client = mqtt.NewClient(p.clientOptions())
	return p, nil
}

func (p *Publisher) clientOptions() *mqtt.ClientOptions {
	o := p.opts
	will, _ := json.Marshal(p.status(replication.StateOffline))
	co := mqtt.NewClientOptions().
		AddBroker(o.Broker).
		SetClientID(o.ClientID).
		SetUsername(o.Username).
		SetPassword(o.Password).
		// A clean session: paho's own store resends out of order and the
		// broker's queue is no record; the seq/ack stream restarts from
		// ack+1 on every connection instead.
		SetCleanSession(true).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).
		SetMaxReconnectInterval(o.ReconnectMax).
		SetKeepAlive(30*time.Second).
		SetPingTimeout(10*time.Second).
		SetConnectTimeout(10*time.Second).
		SetWriteTimeout(10*time.Second).
		SetBinaryWill(p.topicStatus, will, 1, true).
		SetOnConnectHandler(func(mqtt.Client) {
			p.connects.Add(1)
			p.signal(p.connChange)
		}).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			p.log.Warn("replication: connection to the broker lost", "broker", o.Broker, "err", err)
			p.signal(p.connChange)
		})
	if o.TLS != nil {
		co.SetTLSConfig(o.TLS)
	}
	return co
}

func (p *Publisher) signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default: // one pending signal says it all
	}
}

// Run connects and replicates until ctx ends, then publishes the offline
// status, remembers the last ack and disconnects. Call it once.
func (p *Publisher) Run(ctx context.Context) error {
	p.client.Connect() // with ConnectRetry it keeps trying; OnConnect tells the loop
	tick := time.NewTicker(p.opts.Poll)
	defer tick.Stop()
	// The command applier writes to the store: it is stopped before Run
	// returns, and so before the caller closes the store.
	cmdCtx, cmdStop := context.WithCancel(ctx)
	cmdDone := make(chan struct{})
	go func() {
		defer close(cmdDone)
		if p.cmds != nil {
			p.cmds.run(cmdCtx, p.publishCommandAck)
		}
	}()
	for {
		select {
		case <-ctx.Done():
			cmdStop()
			<-cmdDone
			p.stop()
			return nil
		case <-p.connChange:
			p.onConnChange()
		case payload := <-p.acks:
			p.onAck(payload)
			p.pump()
		case <-tick.C:
			p.pump()
		}
	}
}

// onConnChange follows the connection: on a new connection it (re)starts
// the stream from ack+1, since whatever was in flight on the old one may be
// lost and HQ skips what it already has.
func (p *Publisher) onConnChange() {
	open := p.client.IsConnectionOpen()
	if !open {
		p.setOnline(false)
		return
	}
	n := p.connects.Load()
	if n == p.handled && p.online {
		return
	}
	p.handled = n
	p.mu.Lock()
	p.st.Connects = n
	p.mu.Unlock()
	p.subscribed = false
	p.setOnline(true)
	p.restart("connected")
	p.subscribe()
}

// subscribe asks for the ack topic (whose retained ack then arrives), and
// the commands topic when the store takes HQ's commands, and says online.
// Until it succeeds nothing is published: without acks every batch would
// only time out.
func (p *Publisher) subscribe() {
	filters := map[string]byte{p.topicAck: 1}
	if p.cmds != nil {
		filters[p.topicCmds] = 1
	}
	tok := p.client.SubscribeMultiple(filters, func(_ mqtt.Client, m mqtt.Message) {
		// Paho's router calls this in order and must not block: the loop
		// may itself be blocked in Publish on a dying connection, which
		// waits for the router. Acks are cumulative, so one dropped when
		// 256 are queued costs at most an ack timeout and a resend; so
		// does a command batch (HQ resends it).
		if m.Topic() == p.topicCmds {
			p.cmds.offer(m.Payload())
			return
		}
		select {
		case p.acks <- m.Payload():
		default:
		}
	})
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		p.log.Warn("replication: subscribing to the ack topic failed; trying again", "err", tok.Error())
		return
	}
	p.subscribed = true
	p.publishStatus(replication.StateOnline)
	if p.cmds != nil {
		p.signal(p.cmds.reack)
	}
}

func (p *Publisher) setOnline(on bool) {
	p.online = on
	p.mu.Lock()
	p.st.Connected = on
	p.mu.Unlock()
}

// restart goes back to ack+1.
func (p *Publisher) restart(why string) {
	if p.sent > p.ackOK.Seq {
		p.log.Info("replication: resending from the last ack", "reason", why, "from", p.ackOK.Seq+1, "sent", p.sent)
		p.mu.Lock()
		p.st.Resends++
		p.mu.Unlock()
	}
	p.sent = p.ackOK.Seq
	p.window = p.window[:0]
	p.deadline = time.Time{}
}

func (p *Publisher) onAck(payload []byte) {
	a, err := replication.DecodeAck(payload)
	if err != nil {
		p.ignore("undecodable", err)
		return
	}
	if a.Seq <= p.ackOK.Seq {
		return // a repeat or an old retained ack: nothing moves
	}
	// An ack must name an event that was sent: one beyond is a confused or
	// forged HQ, and believing it would skip events. After a restart the
	// retained ack may be ahead of the remembered one; it is ignored and
	// the resend brings an ack that counts.
	if a.Seq > p.maxSent {
		p.ignore("beyond what was sent", fmt.Errorf("ack %d, sent up to %d", a.Seq, p.maxSent))
		return
	}
	want := p.epochOf(a.Seq)
	if a.Epoch != want {
		p.ignore("another epoch", fmt.Errorf("ack of epoch %d, events of epoch %d", a.Epoch, want))
		return
	}
	p.ackOK = inventory.ReplicationAck{Epoch: a.Epoch, Seq: a.Seq}
	// An ack for events sent before a restart of the stream (a late one
	// from the old connection) spares resending them.
	p.sent = max(p.sent, a.Seq)
	i := 0
	for i < len(p.window) && p.window[i].to <= a.Seq {
		i++
	}
	p.window = append(p.window[:0], p.window[i:]...)
	now := p.opts.Clock.Now()
	p.deadline = time.Time{}
	if len(p.window) > 0 {
		p.deadline = now.Add(p.opts.AckTimeout)
	}
	p.mu.Lock()
	p.st.AckEpoch, p.st.AckSeq, p.st.LastAckAt = a.Epoch, a.Seq, now
	p.mu.Unlock()
	if now.Sub(p.savedAt) >= p.opts.SaveEvery {
		p.save()
	}
}

// epochOf is the epoch of the event at seq among the batches in flight,
// else the head's: the only epochs an honest ack can carry.
func (p *Publisher) epochOf(seq uint64) uint32 {
	for _, b := range p.window {
		if seq >= b.from && seq <= b.to {
			return b.epoch
		}
	}
	return p.store.Head().Epoch
}

func (p *Publisher) ignore(why string, err error) {
	p.mu.Lock()
	p.st.AcksIgnored++
	p.mu.Unlock()
	p.log.Warn("replication: ack ignored", "reason", why, "err", err)
}

func (p *Publisher) save() {
	if p.ackOK == p.savedAck {
		return
	}
	if err := p.store.SetReplicationAck(p.ackOK); err != nil {
		p.log.Warn("replication: remembering the last ack failed; a restart resends more", "err", err)
		return
	}
	p.savedAck, p.savedAt = p.ackOK, p.opts.Clock.Now()
}

// pump checks the ack timeout, then fills the window from the log.
func (p *Publisher) pump() {
	now := p.opts.Clock.Now()
	head := p.store.Head()
	p.track(now, head)
	if !p.online {
		return
	}
	if !p.subscribed {
		p.subscribe()
		if !p.subscribed {
			return
		}
	}
	if !p.deadline.IsZero() && !now.Before(p.deadline) {
		p.restart("no ack within " + p.opts.AckTimeout.String())
	}
	for len(p.window) < p.opts.Window && p.sent < head.Seq {
		if err := p.publishNext(now); err != nil {
			p.log.Warn("replication: publishing a batch failed; resending from the last ack", "err", err)
			p.mu.Lock()
			p.st.PublishErrors++
			p.mu.Unlock()
			p.restart("publish failed")
			return
		}
	}
	if now.Sub(p.savedAt) >= p.opts.SaveEvery {
		p.save()
	}
	if head.Seq != p.statusSeq && now.Sub(p.statusAt) >= p.opts.StatusEvery {
		p.sendStatus(replication.StateOnline, false)
	}
}

var errFull = errors.New("batch full")

// publishNext reads the events after sent into one batch (cut where the
// epoch changes: a batch is of one epoch) and publishes it.
func (p *Publisher) publishNext(now time.Time) error {
	var (
		raws  [][]byte
		epoch uint32
		next  = p.sent + 1
	)
	err := p.store.EachRawEvent(p.sent, func(seq uint64, raw []byte) error {
		if seq != next {
			return fmt.Errorf("the log has seq %d where %d belongs", seq, next)
		}
		var e struct {
			Epoch uint32 `json:"epoch"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("decode event %d: %w", seq, err)
		}
		if len(raws) > 0 && e.Epoch != epoch {
			return errFull
		}
		epoch = e.Epoch
		raws = append(raws, raw)
		next++
		if len(raws) == p.opts.BatchEvents {
			return errFull
		}
		return nil
	})
	if err != nil && !errors.Is(err, errFull) {
		return fmt.Errorf("read the log after %d: %w", p.sent, err)
	}
	if len(raws) == 0 {
		return fmt.Errorf("the log holds no event after %d below its head", p.sent)
	}
	from, to := p.sent+1, p.sent+uint64(len(raws))
	payload := encodeBatch(p.depot, epoch, from, raws)
	// The token is not waited for: a PUBACK proves nothing, the ack from HQ
	// does, and the window bounds what is outstanding.
	p.client.Publish(p.topicEvents, 1, false, payload)
	p.sent = to
	p.maxSent = max(p.maxSent, to)
	if len(p.window) == 0 {
		p.deadline = now.Add(p.opts.AckTimeout)
	}
	p.window = append(p.window, inflight{from: from, to: to, epoch: epoch})
	p.mu.Lock()
	p.st.Batches++
	p.st.EventsSent += uint64(len(raws))
	p.mu.Unlock()
	return nil
}

// encodeBatch writes a replication.Batch by hand: the events go out as the
// exact stored bytes (their hashes cover them) without encoding/json
// re-validating and compacting every one.
func encodeBatch(depot string, epoch uint32, from uint64, raws [][]byte) []byte {
	n := 96 + len(depot)
	for _, r := range raws {
		n += len(r) + 1
	}
	var b bytes.Buffer
	b.Grow(n)
	d, _ := json.Marshal(depot)
	b.WriteString(`{"v":`)
	b.WriteString(strconv.Itoa(replication.Version))
	b.WriteString(`,"depot":`)
	b.Write(d)
	b.WriteString(`,"epoch":`)
	b.WriteString(strconv.FormatUint(uint64(epoch), 10))
	b.WriteString(`,"from":`)
	b.WriteString(strconv.FormatUint(from, 10))
	b.WriteString(`,"to":`)
	b.WriteString(strconv.FormatUint(from+uint64(len(raws))-1, 10))
	b.WriteString(`,"events":[`)
	for i, r := range raws {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(r)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// track updates the snapshot and writes progress lines while a backlog
// drains.
func (p *Publisher) track(now time.Time, head inventory.Head) {
	backlog := head.Seq - min(head.Seq, p.ackOK.Seq)
	switch {
	case backlog == 0:
		p.backlogAt = time.Time{}
	case p.backlogAt.IsZero():
		p.backlogAt = now
	}
	lag := 0.0
	if !p.backlogAt.IsZero() {
		lag = now.Sub(p.backlogAt).Seconds()
	}
	p.mu.Lock()
	p.st.Head, p.st.Backlog, p.st.SentSeq, p.st.InFlight, p.st.LagSeconds = head.Seq, backlog, p.sent, len(p.window), lag
	p.mu.Unlock()
	if line, ok := p.drain.step(now, p.ackOK.Seq, head.Seq, p.opts.ProgressEvery); ok {
		p.log.Info("replication: draining the backlog", line...)
	}
}

// drainProgress decides when a draining backlog deserves a log line: at
// every tenth of the backlog it started with, or every interval.
type drainProgress struct {
	active     bool
	start      uint64 // ack when draining began
	target     uint64 // head when draining began (moves up with the head)
	lastDecile uint64
	lastAt     time.Time
	began      time.Time
}

// minDrainLine is the backlog below which draining is not worth a line.
const minDrainLine = 1000

func (d *drainProgress) step(now time.Time, ack, head uint64, every time.Duration) ([]any, bool) {
	backlog := head - min(head, ack)
	if !d.active {
		if backlog < minDrainLine {
			return nil, false
		}
		*d = drainProgress{active: true, start: ack, target: head, lastAt: now, began: now}
		return []any{"backlog", backlog, "ack", ack, "head", head}, true
	}
	d.target = max(d.target, head)
	if ack >= d.target {
		d.active = false
		el := now.Sub(d.began)
		rate := 0.0
		if el > 0 {
			rate = float64(ack-d.start) / el.Seconds()
		}
		return []any{"done", true, "events", ack - d.start, "took", el.Round(time.Millisecond).String(), "eventsPerSecond", int(rate)}, true
	}
	total := d.target - d.start
	decile := (ack - min(ack, d.start)) * 10 / max(total, 1)
	if decile > d.lastDecile || now.Sub(d.lastAt) >= every {
		d.lastDecile, d.lastAt = decile, now
		return []any{"percent", int(decile * 10), "ack", ack, "head", head, "backlog", backlog}, true
	}
	return nil, false
}

func (p *Publisher) status(state string) replication.Status {
	h := p.store.Head()
	return replication.Status{V: replication.Version, Depot: p.depot, State: state, Version: p.opts.Version,
		Epoch: h.Epoch, LastSeq: h.Seq, At: p.opts.Clock.Now().UTC()}
}

func (p *Publisher) publishStatus(state string) { p.sendStatus(state, true) }

// sendStatus publishes the retained status; wait says to wait for the
// broker's PUBACK (on connect and stop, where the order matters), not on
// the periodic refresh.
func (p *Publisher) sendStatus(state string, wait bool) {
	st := p.status(state)
	b, _ := json.Marshal(st)
	p.statusAt, p.statusSeq = p.opts.Clock.Now(), st.LastSeq
	tok := p.client.Publish(p.topicStatus, 1, true, b)
	if wait && (!tok.WaitTimeout(5*time.Second) || tok.Error() != nil) {
		p.log.Warn("replication: publishing the status failed", "state", state, "err", tok.Error())
	}
}

// stop says offline (a clean stop fires no last will), remembers the last
// ack and disconnects.
func (p *Publisher) stop() {
	if p.client.IsConnectionOpen() {
		p.publishStatus(replication.StateOffline)
	}
	p.save()
	p.client.Disconnect(250)
	p.setOnline(false)
}

// State returns a snapshot for the API and metrics.
func (p *Publisher) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st
}
