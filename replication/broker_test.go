package replication_test

// These tests run against a real Mosquitto (replication/brokertest) with the
// ACL that ships in replication/mosquitto: they prove the broker side of the
// contract, that a depot's identity confines it to its own topics and that
// TLS works, whatever our own code does.

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/brokertest"
	"github.com/partsedge/partsedge/replication/mosquitto"
)

// wait bounds how long a test waits for something the broker must do; it
// only turns a hang into a failure, nothing is timed.
const wait = 20 * time.Second

// received collects messages in arrival order and signals each arrival.
type received struct {
	mu   sync.Mutex
	msgs []mqtt.Message
	more chan struct{}
}

func newReceived() *received { return &received{more: make(chan struct{}, 1)} }

func (r *received) handle(_ mqtt.Client, m mqtt.Message) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
	select {
	case r.more <- struct{}{}:
	default:
	}
}

// waitFor waits until a message on topic has arrived and returns everything
// received up to then.
func (r *received) waitFor(t *testing.T, topic string) []mqtt.Message {
	t.Helper()
	deadline := time.After(wait)
	for {
		r.mu.Lock()
		for i, m := range r.msgs {
			if m.Topic() == topic {
				got := append([]mqtt.Message(nil), r.msgs[:i+1]...)
				r.mu.Unlock()
				return got
			}
		}
		r.mu.Unlock()
		select {
		case <-r.more:
		case <-deadline:
			t.Fatalf("no message on %s", topic)
		}
	}
}

type clientOpt func(*mqtt.ClientOptions)

func clientOptions(b *brokertest.Broker, user string, opts ...clientOpt) *mqtt.ClientOptions {
	o := mqtt.NewClientOptions().
		AddBroker(b.URL()).
		SetClientID(fmt.Sprintf("%s-%d", user, time.Now().UnixNano())).
		SetCleanSession(true).
		SetAutoReconnect(false).
		SetConnectRetry(false).
		SetConnectTimeout(wait)
	if user != "" {
		o.SetUsername(user).SetPassword(b.Password(user))
	}
	for _, f := range opts {
		f(o)
	}
	return o
}

// connect connects and fails the test if the broker refuses.
func connect(t *testing.T, o *mqtt.ClientOptions) mqtt.Client {
	t.Helper()
	c := mqtt.NewClient(o)
	if err := await(c.Connect()); err != nil {
		t.Fatalf("connect as %q: %v", o.Username, err)
	}
	t.Cleanup(func() { c.Disconnect(250) })
	return c
}

func await(tok mqtt.Token) error {
	if !tok.WaitTimeout(wait) {
		return errors.New("no answer from the broker")
	}
	return tok.Error()
}

func publish(t *testing.T, c mqtt.Client, topic string, retained bool, payload string) {
	t.Helper()
	if err := await(c.Publish(topic, 1, retained, payload)); err != nil {
		t.Fatalf("publish %s: %v", topic, err)
	}
}

// subscribe subscribes and returns the granted QoS (0x80 is a refusal).
func subscribe(t *testing.T, c mqtt.Client, filter string, r *received) byte {
	t.Helper()
	tok := c.Subscribe(filter, 1, r.handle)
	if err := await(tok); err != nil {
		t.Fatalf("subscribe %s: %v", filter, err)
	}
	return tok.(*mqtt.SubscribeToken).Result()[filter]
}

func TestBrokerACLConfinesDepotToItsOwnTopics(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{Depots: []string{"D1", "D2"}})
	hq := connect(t, clientOptions(b, mosquitto.HQUser))
	atHQ := newReceived()
	for _, kind := range []string{replication.KindEvents, replication.KindStatus, replication.KindCommandsAck, replication.KindNotices} {
		if qos := subscribe(t, hq, replication.TopicRoot+"+/"+kind, atHQ); qos != 1 {
			t.Fatalf("HQ's subscription to every depot's %s granted %#x, want QoS 1", kind, qos)
		}
	}
	d1 := connect(t, clientOptions(b, "D1"))

	// Mosquitto handles one client's packets in order and paho hands one
	// subscriber's messages over in order, so once D1's own message (sent
	// last) is at HQ, any forged one that got through would be there first.
	for _, kind := range []string{replication.KindEvents, replication.KindStatus, replication.KindCommandsAck, replication.KindNotices} {
		t.Run(kind, func(t *testing.T) {
			forged, own := replication.Topic("D2", kind), replication.Topic("D1", kind)
			// QoS 1 to a forbidden topic is still acknowledged (MQTT 3.1.1
			// has no way to refuse it), and dropped.
			publish(t, d1, forged, false, "forged by D1")
			publish(t, d1, own, false, "from D1")
			for _, m := range atHQ.waitFor(t, own) {
				if m.Topic() == forged || string(m.Payload()) == "forged by D1" {
					t.Fatalf("HQ received D1's message on %s", m.Topic())
				}
			}
		})
	}

	t.Run("depot cannot write acks or commands", func(t *testing.T) {
		d2 := connect(t, clientOptions(b, "D2"))
		atD2 := newReceived()
		for _, kind := range []string{replication.KindAck, replication.KindCommands} {
			if qos := subscribe(t, d2, replication.Topic("D2", kind), atD2); qos != 1 {
				t.Fatalf("D2's subscription to its %s granted %#x", kind, qos)
			}
		}
		publish(t, d1, replication.Topic("D2", replication.KindAck), false, "forged ack")
		publish(t, d1, replication.Topic("D2", replication.KindCommands), false, "forged command")
		// A depot may not even write its own ack or commands: only HQ does.
		publish(t, d2, replication.Topic("D2", replication.KindAck), false, "self ack")
		publish(t, hq, replication.Topic("D2", replication.KindCommands), false, "from HQ")
		for _, m := range atD2.waitFor(t, replication.Topic("D2", replication.KindCommands)) {
			if p := string(m.Payload()); p != "from HQ" {
				t.Fatalf("D2 received %q on %s", p, m.Topic())
			}
		}
	})

	t.Run("depot cannot read another depot", func(t *testing.T) {
		ackD2, ackD1 := replication.Topic("D2", replication.KindAck), replication.Topic("D1", replication.KindAck)
		publish(t, hq, ackD2, true, `{"v":1,"epoch":1,"seq":7}`)
		publish(t, hq, ackD1, true, `{"v":1,"epoch":1,"seq":3}`)
		atD1 := newReceived()
		// Mosquitto 2.0's acl_file grants any subscription and checks read
		// access on every message it would deliver, so what proves the rule
		// is what arrives. Each SUBACK is followed by that filter's retained
		// messages, so D2's ack would reach D1 before D1's own if it leaked.
		for _, filter := range []string{ackD2, replication.Topic("D2", replication.KindCommands), replication.TopicRoot + "+/events", replication.TopicRoot + "+/ack"} {
			subscribe(t, d1, filter, atD1)
		}
		if qos := subscribe(t, d1, ackD1, atD1); qos != 1 {
			t.Fatalf("D1's subscription to its own ack granted %#x", qos)
		}
		if msgs := atD1.waitFor(t, ackD1); len(msgs) != 1 {
			t.Fatalf("D1 received %d retained messages, want only its own ack: %q on %s", len(msgs), msgs[0].Payload(), msgs[0].Topic())
		}
		// Live messages too: HQ's ack to D2 goes first.
		publish(t, hq, ackD2, false, "live ack to D2")
		publish(t, hq, ackD1, false, "live ack to D1")
		for _, m := range atD1.waitForPayload(t, ackD1, "live ack to D1") {
			if m.Topic() != ackD1 {
				t.Fatalf("D1 received %q on %s", m.Payload(), m.Topic())
			}
		}
	})
}

// waitForPayload waits for payload on topic and returns everything received
// up to it.
func (r *received) waitForPayload(t *testing.T, topic, payload string) []mqtt.Message {
	t.Helper()
	deadline := time.After(wait)
	for {
		r.mu.Lock()
		for i, m := range r.msgs {
			if m.Topic() == topic && string(m.Payload()) == payload {
				got := append([]mqtt.Message(nil), r.msgs[:i+1]...)
				r.mu.Unlock()
				return got
			}
		}
		r.mu.Unlock()
		select {
		case <-r.more:
		case <-deadline:
			t.Fatalf("no %q on %s", payload, topic)
		}
	}
}

func TestBrokerRefusesUnknownIdentities(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{Depots: []string{"D1"}})
	tests := []struct {
		name, user, password string
	}{
		{"wrong password", "D1", "not-" + b.Password("D1")},
		{"HQ with a depot's password", mosquitto.HQUser, b.Password("D1")},
		{"unknown depot", "D9", b.Password("D1")},
		{"anonymous", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := clientOptions(b, "")
			if tc.user != "" {
				o.SetUsername(tc.user).SetPassword(tc.password)
			}
			err := await(mqtt.NewClient(o).Connect())
			if !errors.Is(err, packets.ErrorRefusedNotAuthorised) && !errors.Is(err, packets.ErrorRefusedBadUsernameOrPassword) {
				t.Fatalf("connect: %v, want a refusal", err)
			}
		})
	}
}

func TestBrokerTLS(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{Depots: []string{"D1"}, TLS: true})
	tlsTo := func(cfg *tls.Config) clientOpt {
		return func(o *mqtt.ClientOptions) {
			o.Servers = nil
			o.AddBroker(b.TLSURL()).SetTLSConfig(cfg)
		}
	}
	t.Run("with the CA", func(t *testing.T) {
		c := connect(t, clientOptions(b, "D1", tlsTo(b.TLSConfig())))
		publish(t, c, replication.Topic("D1", replication.KindEvents), false, "over TLS")
	})
	t.Run("without the CA", func(t *testing.T) {
		err := await(mqtt.NewClient(clientOptions(b, "D1", tlsTo(&tls.Config{MinVersion: tls.VersionTLS12}))).Connect())
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) {
			t.Fatalf("connect without the CA: %v, want an unknown authority", err)
		}
	})
}

func TestBrokerRestartReconnects(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{Depots: []string{"D1"}, Persistence: true})
	connected := make(chan struct{}, 16)
	atHQ := newReceived()
	events := replication.Topic("D1", replication.KindEvents)
	reconnecting := func(o *mqtt.ClientOptions) {
		o.SetAutoReconnect(true).SetMaxReconnectInterval(100 * time.Millisecond)
	}
	hqOpts := clientOptions(b, mosquitto.HQUser, reconnecting)
	// A clean session forgets subscriptions, so HQ subscribes on every
	// connect, as hqd does.
	hqOpts.SetOnConnectHandler(func(c mqtt.Client) {
		c.Subscribe(events, 1, atHQ.handle).Wait()
		connected <- struct{}{}
	})
	hq := connect(t, hqOpts)
	d1Connected := make(chan struct{}, 16)
	d1Opts := clientOptions(b, "D1", reconnecting)
	d1Opts.SetOnConnectHandler(func(mqtt.Client) { d1Connected <- struct{}{} })
	d1 := connect(t, d1Opts)
	<-connected
	<-d1Connected
	ack := replication.Topic("D1", replication.KindAck)
	publish(t, hq, ack, true, `{"v":1,"epoch":1,"seq":1}`)

	for i, stop := range []func(){b.Stop, b.Kill} {
		stop()
		if err := b.Restart(); err != nil {
			t.FailNow()
		}
		for name, ch := range map[string]chan struct{}{"HQ": connected, "D1": d1Connected} {
			select {
			case <-ch:
			case <-time.After(wait):
				t.Fatalf("restart %d: %s did not reconnect", i, name)
			}
		}
		payload := fmt.Sprintf("after restart %d", i)
		publish(t, d1, events, false, payload)
		atHQ.waitForPayload(t, events, payload)
	}

	// The retained ack was in the snapshot written at the clean stop; the
	// kill found nothing newer to lose.
	atD1 := newReceived()
	subscribe(t, d1, ack, atD1)
	if msgs := atD1.waitFor(t, ack); string(msgs[0].Payload()) != `{"v":1,"epoch":1,"seq":1}` {
		t.Fatalf("retained ack after restarts: %q", msgs[0].Payload())
	}
}

func TestHarnessRunsTheShippedACL(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{Depots: []string{"D1"}})
	got := readFile(t, b.Dir()+"/acl")
	shipped := readFile(t, "mosquitto/acl")
	if got != shipped {
		t.Fatalf("the test broker's ACL differs from replication/mosquitto/acl")
	}
	if !strings.Contains(shipped, "user "+mosquitto.HQUser+"\n") {
		t.Fatalf("replication/mosquitto/acl grants nothing to %q", mosquitto.HQUser)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
