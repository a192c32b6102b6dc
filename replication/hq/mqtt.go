package hq

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/partsedge/partsedge/replication"
)

// MQTTOptions say how HQ reaches the broker.
type MQTTOptions struct {
	Broker   string // tcp://host:port or ssl://host:port
	User     string
	Password string
	// ClientID is HQ's MQTT identity; a fixed id with a persistent
	// session lets the broker queue batches while HQ is down.
	ClientID string
	// Workers apply batches in parallel, each depot always on the same
	// worker so its batches keep their order; 4 when zero. Badger groups
	// the concurrent commits into shared fsyncs.
	Workers int
	// CommandWindow bounds the commands sent to a depot and not yet
	// acknowledged (default and maximum replication.MaxAckResults, so the
	// depot's ack still holds the outcome of every one of them).
	CommandWindow int
	// CommandAckTimeout is how long HQ waits for a depot's command ack to
	// move before it sends again from the ack + 1 (default 10 s).
	CommandAckTimeout time.Duration
	// CommandPoll is how often the outbox is looked at for commands to
	// send and acks that are late (default 200 ms).
	CommandPoll time.Duration
	// Clock times the command acks; time.Now when nil.
	Clock func() time.Time
}

// Subscriber feeds HQ from the broker and publishes the acks.
type Subscriber struct {
	hq     *HQ
	client mqtt.Client
	queues []chan mqtt.Message
	wg     sync.WaitGroup

	mu        sync.RWMutex // guards closed against handlers still sending
	closed    bool
	connected atomic.Bool

	cmd     MQTTOptions
	cmdStop chan struct{}
	cmdWG   sync.WaitGroup
	// streams are the command streams to the depots, guarded by cmdMu: the
	// sender fills them, acks and (re)connects move them back.
	cmdMu   sync.Mutex
	streams map[string]*cmdStream
}

// Subscribe starts connecting to the broker (retrying until Close) and
// subscribes, QoS 1, to every depot's events and status; it subscribes
// again after each reconnect.
func (h *HQ) Subscribe(ctx context.Context, o MQTTOptions) (*Subscriber, error) {
	if o.Broker == "" {
		return nil, errors.New("no broker URL")
	}
	if o.ClientID == "" {
		o.ClientID = "partsedge-hq"
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	o.commandDefaults()
	s := &Subscriber{hq: h, queues: make([]chan mqtt.Message, o.Workers),
		cmd: o, cmdStop: make(chan struct{}), streams: map[string]*cmdStream{}}
	for i := range s.queues {
		s.queues[i] = make(chan mqtt.Message, 64)
		s.wg.Add(1)
		go s.work(s.queues[i])
	}
	opts := mqtt.NewClientOptions().AddBroker(o.Broker).SetClientID(o.ClientID).
		SetUsername(o.User).SetPassword(o.Password).
		SetCleanSession(false).SetAutoReconnect(true).SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).SetMaxReconnectInterval(10 * time.Second).
		SetKeepAlive(30 * time.Second).
		// With a persistent session the broker delivers what it kept for
		// HQ as soon as HQ connects, before the subscribe (made off the
		// connect handler) is back; without a default handler paho would
		// drop those unacknowledged and delivery would stall until the
		// next reconnect.
		SetDefaultPublishHandler(s.receive).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			s.connected.Store(false)
			h.log.Warn("broker connection lost", "err", err)
		}).
		SetOnConnectHandler(func(c mqtt.Client) {
			// Subscribing from the handler would block paho's connect
			// sequence while it waits for the SUBACK.
			go s.subscribe(c)
		})
	s.client = mqtt.NewClient(opts)
	s.cmdWG.Add(1)
	go s.sendCommands()
	// With connect retry on, the first connect's token completes only once
	// connected (or disconnected), so it is watched, not waited for: HQ
	// serves its API (not ready) while the broker is unreachable.
	tok := s.client.Connect()
	go func() {
		select {
		case <-tok.Done():
			if err := tok.Error(); err != nil {
				h.log.Error("connect to the broker", "broker", o.Broker, "err", err)
			}
		case <-ctx.Done():
		}
	}()
	return s, nil
}

func (s *Subscriber) subscribe(c mqtt.Client) {
	filters := map[string]byte{
		replication.Topic("+", replication.KindEvents):      1,
		replication.Topic("+", replication.KindStatus):      1,
		replication.Topic("+", replication.KindCommandsAck): 1,
		replication.Topic("+", replication.KindNotices):     1,
	}
	tok := c.SubscribeMultiple(filters, s.receive)
	if !tok.WaitTimeout(30*time.Second) || tok.Error() != nil {
		s.hq.log.Error("subscribe failed; reconnecting", "err", tok.Error())
		return
	}
	s.connected.Store(true)
	// Whatever was in flight on the old connection may be lost: every
	// depot's commands go again from its ack + 1.
	s.resendCommands("")
	s.hq.log.Info("subscribed to depot events, status and command acks")
}

// Connected reports whether HQ is subscribed (for /readyz).
func (s *Subscriber) Connected() bool { return s.connected.Load() && s.client.IsConnectionOpen() }

// receive runs on paho's single delivery goroutine (order matters): a
// status is handled at once, a batch goes to its depot's worker.
func (s *Subscriber) receive(_ mqtt.Client, m mqtt.Message) {
	depot, kind, ok := replication.ParseTopic(m.Topic())
	if !ok {
		s.hq.log.Warn("message on a topic outside the protocol", "topic", m.Topic())
		return
	}
	switch kind {
	case replication.KindStatus:
		was := s.online(depot)
		if err := s.hq.HandleStatus(depot, m.Payload()); err != nil {
			s.hq.log.Warn("status rejected", "depot", depot, "err", err)
		}
		if !was && s.online(depot) {
			// A depot that comes online has a new session: what was sent
			// before is gone with the old one.
			s.resendCommands(depot)
		}
	case replication.KindEvents, replication.KindCommandsAck, replication.KindNotices:
		f := fnv.New32a()
		f.Write([]byte(depot))
		s.mu.RLock()
		if !s.closed {
			s.queues[int(f.Sum32())%len(s.queues)] <- m
		}
		s.mu.RUnlock()
	}
}

func (s *Subscriber) work(q chan mqtt.Message) {
	defer s.wg.Done()
	// Decoding a batch (every event's hash) runs one batch ahead of
	// applying the one before (an fsync'd commit), in arrival order: a
	// draining depot's batches come back to back on one worker.
	type item struct {
		depot, kind string
		payload     []byte
		dec         Decoded
	}
	next := make(chan item, 1)
	go func() {
		defer close(next)
		for m := range q {
			depot, kind, _ := replication.ParseTopic(m.Topic())
			it := item{depot: depot, kind: kind, payload: m.Payload()}
			if kind == replication.KindEvents {
				it.dec = s.hq.Decode(depot, it.payload)
			}
			next <- it
		}
	}()
	for it := range next {
		if it.kind == replication.KindCommandsAck {
			s.commandAck(it.depot, it.payload)
			continue
		}
		if it.kind == replication.KindNotices {
			s.notices(it.depot, it.payload)
			continue
		}
		out := s.hq.Apply(it.dec)
		if out.Ack != nil {
			s.publishAck(it.depot, *out.Ack)
		}
	}
}

// publishAck publishes the ack retained, QoS 1, without waiting: a lost
// ack only makes the depot resend, and the resend is acknowledged again.
func (s *Subscriber) publishAck(depot string, a replication.Ack) {
	b, err := json.Marshal(a)
	if err != nil {
		s.hq.log.Error("encode ack", "err", err)
		return
	}
	s.client.Publish(replication.Topic(depot, replication.KindAck), 1, true, b)
}

// Close disconnects and waits for the workers to finish the batches they
// hold; the broker redelivers whatever HQ had not acknowledged.
func (s *Subscriber) Close() {
	s.mu.Lock()
	if !s.closed {
		close(s.cmdStop)
	}
	s.mu.Unlock()
	s.cmdWG.Wait()
	if s.client != nil {
		s.client.Disconnect(500)
	}
	s.connected.Store(false)
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		for _, q := range s.queues {
			close(q)
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (o *MQTTOptions) commandDefaults() {
	if o.CommandWindow <= 0 || o.CommandWindow > replication.MaxAckResults {
		o.CommandWindow = replication.MaxAckResults
	}
	if o.CommandAckTimeout <= 0 {
		o.CommandAckTimeout = 10 * time.Second
	}
	if o.CommandPoll <= 0 {
		o.CommandPoll = 200 * time.Millisecond
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
}

// cmdStream is the command stream to one depot: base is the depot's last
// ack as HQ last heard it, sent the last command published since the
// stream last went back to base.
type cmdStream struct {
	base, sent uint64
	deadline   time.Time // go back to base when the ack has not moved by then
}

// online reports whether depot's last status says online.
func (s *Subscriber) online(depot string) bool {
	d, ok := s.hq.Depot(depot)
	return ok && d.Status != nil && d.Status.State == replication.StateOnline
}

// offline reports whether depot's last status says offline: its session is
// clean, so nothing published to it now would reach it.
func (s *Subscriber) offline(depot string) bool {
	d, ok := s.hq.Depot(depot)
	return ok && d.Status != nil && d.Status.State == replication.StateOffline
}

// resendCommands sends depot's commands (every depot's for "") again from
// its last ack.
func (s *Subscriber) resendCommands(depot string) {
	s.cmdMu.Lock()
	defer s.cmdMu.Unlock()
	for d, st := range s.streams {
		if depot == "" || d == depot {
			st.sent, st.deadline = st.base, time.Time{}
		}
	}
}

// commandAck records a depot's command ack and moves its stream on.
func (s *Subscriber) commandAck(depot string, payload []byte) {
	a, ok, err := s.hq.HandleCommandAck(depot, payload)
	if err != nil {
		s.hq.log.Warn("command ack not taken", "depot", depot, "err", err)
		return
	}
	if !ok {
		return
	}
	s.cmdMu.Lock()
	defer s.cmdMu.Unlock()
	st := s.streams[depot]
	if st == nil {
		st = &cmdStream{}
		s.streams[depot] = st
	}
	if a.Seq < st.base {
		s.hq.log.Warn("depot acknowledges fewer commands than before (restored from a backup?); sending again from its ack",
			"depot", depot, "ack", a.Seq, "was", st.base)
		st.sent = a.Seq
	}
	st.base = a.Seq
	st.sent = max(st.sent, a.Seq)
	st.deadline = time.Time{}
	if st.sent > st.base {
		st.deadline = s.cmd.Clock().Add(s.cmd.CommandAckTimeout)
	}
}

// sendCommands publishes what the outbox holds beyond each depot's stream,
// a bounded window at a time, until Close.
func (s *Subscriber) sendCommands() {
	defer s.cmdWG.Done()
	tick := time.NewTicker(s.cmd.CommandPoll)
	defer tick.Stop()
	for {
		select {
		case <-s.cmdStop:
			return
		case <-tick.C:
			if s.Connected() {
				s.pumpCommands()
			}
		}
	}
}

func (s *Subscriber) pumpCommands() {
	heads, err := s.hq.outboxHeads()
	if err != nil {
		s.hq.log.Error("read the command outbox", "err", err)
		return
	}
	now := s.cmd.Clock()
	for depot, head := range heads {
		s.cmdMu.Lock()
		st := s.streams[depot]
		if st == nil {
			st = &cmdStream{base: head.Acked, sent: head.Acked}
			s.streams[depot] = st
		}
		// The stream's base, not the durable ack, says what the depot
		// lacks: a depot restored from a backup acknowledges less than it
		// once did and gets the rest again.
		if st.base >= head.Last || s.offline(depot) {
			s.cmdMu.Unlock()
			continue
		}
		if !st.deadline.IsZero() && !now.Before(st.deadline) {
			s.hq.log.Info("no command ack in time; sending again", "depot", depot, "from", st.base+1)
			st.sent, st.deadline = st.base, time.Time{}
		}
		for st.sent < head.Last && st.sent-st.base < uint64(s.cmd.CommandWindow) {
			payload, to, err := s.hq.commandBatch(depot, st.sent+1, min(head.Last, st.base+uint64(s.cmd.CommandWindow)))
			if err != nil || payload == nil {
				s.hq.log.Error("build a command batch", "depot", depot, "from", st.sent+1, "err", err)
				break
			}
			// Not waited for: the depot's ack is the proof, and the window
			// bounds what is outstanding.
			s.client.Publish(replication.Topic(depot, replication.KindCommands), 1, false, payload)
			st.sent = to
			if st.deadline.IsZero() {
				st.deadline = now.Add(s.cmd.CommandAckTimeout)
			}
		}
		s.cmdMu.Unlock()
	}
}
