package mosquitto_test

import (
	"errors"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/brokertest"
	"github.com/partsedge/partsedge/replication/mosquitto"
)

// wait only turns a hang into a failure; nothing is timed.
const wait = 20 * time.Second

func await(tok mqtt.Token) error {
	if !tok.WaitTimeout(wait) {
		return errors.New("no answer from the broker")
	}
	return tok.Error()
}

// TestShippedConfigRuns starts Mosquitto on the mosquitto.conf operators
// get (ports and paths pointed at the test) and uses it the way a site
// does: HQ on the loopback listener, depots over TLS.
func TestShippedConfigRuns(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{Depots: []string{"D1", "D2"}, ShippedConfig: true})
	client := func(url, user, password string) mqtt.Client {
		o := mqtt.NewClientOptions().AddBroker(url).SetClientID(user + "-shipped").
			SetAutoReconnect(false).SetConnectTimeout(wait).SetTLSConfig(b.TLSConfig())
		if user != "" {
			o.SetUsername(user).SetPassword(password)
		}
		return mqtt.NewClient(o)
	}

	hq := client(b.URL(), mosquitto.HQUser, b.Password(mosquitto.HQUser))
	if err := await(hq.Connect()); err != nil {
		t.Fatalf("HQ on the loopback listener: %v", err)
	}
	defer hq.Disconnect(250)
	got := make(chan mqtt.Message, 8)
	if err := await(hq.Subscribe(replication.TopicRoot+"+/events", 1, func(_ mqtt.Client, m mqtt.Message) { got <- m })); err != nil {
		t.Fatalf("HQ subscribe: %v", err)
	}

	d1 := client(b.TLSURL(), "D1", b.Password("D1"))
	if err := await(d1.Connect()); err != nil {
		t.Fatalf("D1 over TLS: %v", err)
	}
	defer d1.Disconnect(250)
	for _, topic := range []string{replication.Topic("D2", replication.KindEvents), replication.Topic("D1", replication.KindEvents)} {
		if err := await(d1.Publish(topic, 1, false, "from D1")); err != nil {
			t.Fatalf("publish %s: %v", topic, err)
		}
	}
	// D1's own message was published last; the forged one would come first.
	select {
	case m := <-got:
		if m.Topic() != replication.Topic("D1", replication.KindEvents) {
			t.Fatalf("HQ received D1's message on %s", m.Topic())
		}
	case <-time.After(wait):
		t.Fatal("HQ received nothing from D1")
	}

	refusals := []struct{ name, url, user, password string }{
		{"anonymous over TLS", b.TLSURL(), "", ""},
		{"wrong password over TLS", b.TLSURL(), "D2", b.Password("D1")},
	}
	for _, r := range refusals {
		err := await(client(r.url, r.user, r.password).Connect())
		if !errors.Is(err, packets.ErrorRefusedNotAuthorised) && !errors.Is(err, packets.ErrorRefusedBadUsernameOrPassword) {
			t.Errorf("%s: %v, want a refusal", r.name, err)
		}
	}
}
