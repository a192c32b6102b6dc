package notify

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/partsedge/partsedge/replication"
)

// The MQTT signal to HQ follows the event stream's rules (replication/
// depot): the notice log is the outbox, batches of records go out QoS 1 on
// partsedge/v1/depots/{depot}/notices in seq order, and only HQ's retained
// ack on .../notices/ack (HQ stored everything up to seq) moves the durable
// cursor; a PUBACK proves nothing. On every connection, and when the ack
// does not move within AckTimeout, the stream goes back to the cursor + 1.
// HQ keeps each notice by its id, so a resend is harmless.

// mqttCursor is the publisher's cursor in the store.
const mqttCursor = "mqtt"

// MQTTOptions configure the notice publisher.
type MQTTOptions struct {
	Broker   string // tcp://host:port or ssl://host:port
	Username string
	Password string
	TLS      *tls.Config
	// ClientID defaults to "partsedge-depot-<depot>-notices": a connection
	// of its own beside the event publisher's, without its last will.
	ClientID string
	// Batch bounds the records per batch (default and maximum
	// replication.MaxBatchNotices); Window the batches unacknowledged
	// (default 4).
	Batch, Window int
	// AckTimeout is how long the ack may stay put with batches in flight
	// before the stream goes back to the cursor (default 10 s).
	AckTimeout time.Duration
	// Poll is how often the ack timeout is checked (default 200 ms).
	Poll time.Duration
	// ReconnectMax caps paho's reconnect backoff (default 10 s).
	ReconnectMax time.Duration
}

// MQTTStats is the publisher's state.
type MQTTStats struct {
	Connected bool   `json:"connected"`
	Cursor    uint64 `json:"cursor"`
	Sent      uint64 `json:"sent"`
	Batches   uint64 `json:"batches"`
	Resends   uint64 `json:"resends"`
	Ignored   uint64 `json:"acksIgnored"`
}

// Publisher sends the notice log to HQ.
type Publisher struct {
	n      *Notifier
	opts   MQTTOptions
	client mqtt.Client
	depot  string

	topic, topicAck string
	connChange      chan struct{}
	acks            chan []byte
	connects        atomic.Uint64

	// loop state
	handled  uint64
	online   bool
	cursor   uint64
	sent     uint64
	deadline time.Time

	mu sync.Mutex
	st MQTTStats
}

// MQTT returns the notice publisher; Run starts it.
func (n *Notifier) MQTT(o MQTTOptions) (*Publisher, error) {
	if o.Broker == "" {
		return nil, errors.New("notices: no broker URL")
	}
	depot := n.store.Depot()
	if err := replication.ValidDepot(depot); err != nil {
		return nil, err
	}
	if o.ClientID == "" {
		o.ClientID = "partsedge-depot-" + depot + "-notices"
	}
	if o.Batch <= 0 || o.Batch > replication.MaxBatchNotices {
		o.Batch = replication.MaxBatchNotices
	}
	if o.Window <= 0 {
		o.Window = 4
	}
	if o.AckTimeout <= 0 {
		o.AckTimeout = 10 * time.Second
	}
	if o.Poll <= 0 {
		o.Poll = 200 * time.Millisecond
	}
	if o.ReconnectMax <= 0 {
		o.ReconnectMax = 10 * time.Second
	}
	p := &Publisher{n: n, opts: o, depot: depot,
		topic: replication.Topic(depot, replication.KindNotices), topicAck: replication.Topic(depot, replication.KindNoticesAck),
		connChange: make(chan struct{}, 1), acks: make(chan []byte, 64)}
	co := mqtt.NewClientOptions().AddBroker(o.Broker).SetClientID(o.ClientID).
		SetUsername(o.Username).SetPassword(o.Password).
		SetCleanSession(true).SetAutoReconnect(true).SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).SetMaxReconnectInterval(o.ReconnectMax).
		SetKeepAlive(30 * time.Second).SetPingTimeout(10 * time.Second).
		SetConnectTimeout(10 * time.Second).SetWriteTimeout(10 * time.Second).
		SetOnConnectHandler(func(mqtt.Client) {
			p.connects.Add(1)
			p.signal()
		}).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			n.opts.Log.Warn("notices: connection to the broker lost", "err", err)
			p.signal()
		})
	if o.TLS != nil {
		co.SetTLSConfig(o.TLS)
	}
	p.client = mqtt.NewClient(co)
	return p, nil
}

func (p *Publisher) signal() {
	select {
	case p.connChange <- struct{}{}:
	default:
	}
}

// Stats reports the publisher's state.
func (p *Publisher) Stats() MQTTStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st
}

// Run publishes until ctx ends, then disconnects. Call it once.
func (p *Publisher) Run(ctx context.Context) error {
	for {
		cur, ok, err := p.n.store.NoticeCursor(mqttCursor)
		if err == nil {
			if !ok {
				// HQ has not heard of this depot's notices: it gets the
				// whole log, which is what it is for.
				cur = 0
			}
			p.cursor, p.sent = cur, cur
			break
		}
		p.n.opts.Log.Error("notices: read the MQTT cursor", "err", err)
		if !sleep(ctx, time.Second) {
			return nil
		}
	}
	p.update()
	p.client.Connect()
	defer p.client.Disconnect(250)
	tick := time.NewTicker(p.opts.Poll)
	defer tick.Stop()
	for {
		changed := p.n.Changed()
		p.pump()
		select {
		case <-ctx.Done():
			return nil
		case <-p.connChange:
			p.onConnChange()
		case payload := <-p.acks:
			p.onAck(payload)
		case <-changed:
		case <-tick.C:
		}
	}
}

func (p *Publisher) onConnChange() {
	if !p.client.IsConnectionOpen() {
		p.online = false
		p.update()
		return
	}
	c := p.connects.Load()
	if c == p.handled && p.online {
		return
	}
	p.handled = c
	tok := p.client.Subscribe(p.topicAck, 1, func(_ mqtt.Client, m mqtt.Message) {
		// Never block paho's router (the loop may be in Publish): acks are
		// cumulative, a dropped one costs a resend.
		select {
		case p.acks <- m.Payload():
		default:
		}
	})
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		p.n.opts.Log.Warn("notices: subscribing to the ack topic failed; trying again", "err", tok.Error())
		p.signal()
		return
	}
	p.online = true
	p.restart()
	p.update()
}

// restart goes back to the cursor + 1: what was in flight may be lost.
func (p *Publisher) restart() {
	if p.sent > p.cursor {
		p.mu.Lock()
		p.st.Resends++
		p.mu.Unlock()
	}
	p.sent, p.deadline = p.cursor, time.Time{}
}

func (p *Publisher) onAck(payload []byte) {
	a, err := replication.DecodeNoticeAck(payload)
	if err == nil && a.Seq > p.cursor {
		// HQ may hold more than this process sent (a restart before the
		// cursor was written), never more than the log holds.
		var head uint64
		if head, err = p.n.store.NoticeHead(); err == nil && a.Seq > head {
			err = errors.New("ack beyond the notice log")
		}
	}
	if err != nil {
		p.n.opts.Log.Warn("notices: ack ignored", "err", err)
		p.mu.Lock()
		p.st.Ignored++
		p.mu.Unlock()
		return
	}
	if a.Seq <= p.cursor {
		return
	}
	if err := p.n.store.SetNoticeCursor(mqttCursor, a.Seq); err != nil {
		p.n.opts.Log.Error("notices: remember the MQTT cursor", "err", err)
		return
	}
	p.cursor, p.sent = a.Seq, max(p.sent, a.Seq)
	p.deadline = time.Time{}
	if p.sent > p.cursor {
		p.deadline = p.n.opts.Now().Add(p.opts.AckTimeout)
	}
	p.update()
}

// pump publishes what the log holds beyond sent, within the window.
func (p *Publisher) pump() {
	if !p.online {
		return
	}
	if !p.deadline.IsZero() && p.n.opts.Now().After(p.deadline) {
		p.n.opts.Log.Info("notices: no ack in time; sending again", "from", p.cursor+1)
		p.restart()
	}
	for p.sent-p.cursor < uint64(p.opts.Window*p.opts.Batch) {
		recs, err := p.n.store.NoticeLog(p.sent, p.opts.Batch)
		if err != nil {
			p.n.opts.Log.Error("notices: read the log", "err", err)
			return
		}
		if len(recs) == 0 {
			break
		}
		b := replication.NoticeBatch{V: replication.Version, Depot: p.depot, From: recs[0].Seq, To: recs[len(recs)-1].Seq, Notices: recs}
		payload, err := json.Marshal(b)
		if err != nil {
			p.n.opts.Log.Error("notices: encode a batch", "err", err)
			return
		}
		// Not waited for: HQ's ack is the proof.
		p.client.Publish(p.topic, 1, false, payload)
		p.sent = b.To
		if p.deadline.IsZero() {
			p.deadline = p.n.opts.Now().Add(p.opts.AckTimeout)
		}
		p.mu.Lock()
		p.st.Batches++
		p.mu.Unlock()
	}
	p.update()
}

func (p *Publisher) update() {
	p.mu.Lock()
	p.st.Connected, p.st.Cursor, p.st.Sent = p.online, p.cursor, p.sent
	p.mu.Unlock()
}
