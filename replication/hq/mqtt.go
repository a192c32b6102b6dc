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
	s := &Subscriber{hq: h, queues: make([]chan mqtt.Message, o.Workers)}
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
		replication.Topic("+", replication.KindEvents): 1,
		replication.Topic("+", replication.KindStatus): 1,
	}
	tok := c.SubscribeMultiple(filters, s.receive)
	if !tok.WaitTimeout(30*time.Second) || tok.Error() != nil {
		s.hq.log.Error("subscribe failed; reconnecting", "err", tok.Error())
		return
	}
	s.connected.Store(true)
	s.hq.log.Info("subscribed to depot events and status")
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
		if err := s.hq.HandleStatus(depot, m.Payload()); err != nil {
			s.hq.log.Warn("status rejected", "depot", depot, "err", err)
		}
	case replication.KindEvents:
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
	for m := range q {
		depot, _, _ := replication.ParseTopic(m.Topic())
		out := s.hq.HandleEvents(depot, m.Payload())
		if out.Ack != nil {
			s.publishAck(depot, *out.Ack)
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
