package broker

import (
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/partsedge/partsedge/replication"
)

func start(t *testing.T) *Broker {
	t.Helper()
	b, err := Start(Options{Addr: "127.0.0.1:0", HQ: "hq", Users: map[string]string{"hq": "hq-secret", "D1": "d1-secret", "D2": "d2-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func connect(t *testing.T, b *Broker, user, password string) (paho.Client, error) {
	t.Helper()
	o := paho.NewClientOptions().AddBroker(b.URL()).SetClientID(user + "-" + t.Name()).
		SetUsername(user).SetPassword(password).SetAutoReconnect(false).SetConnectTimeout(5 * time.Second)
	c := paho.NewClient(o)
	tok := c.Connect()
	if !tok.WaitTimeout(10 * time.Second) {
		t.Fatal("connect timed out")
	}
	if err := tok.Error(); err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		if c.IsConnected() {
			c.Disconnect(100)
		}
	})
	return c, nil
}

func mustConnect(t *testing.T, b *Broker, user, password string) paho.Client {
	t.Helper()
	c, err := connect(t, b, user, password)
	if err != nil {
		t.Fatalf("%s: %v", user, err)
	}
	return c
}

// TestBrokerAuthentication: only known users with their passwords.
func TestBrokerAuthentication(t *testing.T) {
	b := start(t)
	mustConnect(t, b, "D1", "d1-secret")
	for _, tc := range []struct{ user, password string }{{"D1", "wrong"}, {"D3", "d1-secret"}, {"", ""}} {
		if _, err := connect(t, b, tc.user, tc.password); err == nil {
			t.Errorf("%q/%q connected", tc.user, tc.password)
		}
	}
}

// TestBrokerConfinesDepots: HQ, subscribed to every depot's events, gets
// D1's own event batch but never the one D1 forges on D2's topic; D1
// cannot read D2's acks.
func TestBrokerConfinesDepots(t *testing.T) {
	b := start(t)
	hq := mustConnect(t, b, "hq", "hq-secret")
	got := make(chan string, 10)
	tok := hq.Subscribe(replication.TopicRoot+"+/"+replication.KindEvents, 1, func(_ paho.Client, m paho.Message) {
		got <- m.Topic() + " " + string(m.Payload())
	})
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("HQ subscribe: %v", tok.Error())
	}
	// A refused QoS 1 publish ends an MQTT 3.1.1 session (there is no
	// refusal code to answer with), so the forger is left disconnected.
	forger := mustConnect(t, b, "D1", "d1-secret")
	forger.Publish(replication.Topic("D2", replication.KindEvents), 1, false, "forged").WaitTimeout(2 * time.Second)
	waitFor(t, func() bool { return !forger.IsConnectionOpen() })
	d1 := mustConnect(t, b, "D1", "d1-secret")
	d1.Publish(replication.Topic("D1", replication.KindEvents), 1, false, "own").WaitTimeout(5 * time.Second)
	select {
	case m := <-got:
		if m != replication.Topic("D1", replication.KindEvents)+" own" {
			t.Fatalf("HQ received %q", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("HQ did not receive D1's own batch")
	}
	select {
	case m := <-got:
		t.Fatalf("HQ received %q as well", m)
	case <-time.After(300 * time.Millisecond):
	}
	// A refused subscription is answered with the failure code, so paho's
	// token reports an error or the grant shows 0x80.
	sub := d1.Subscribe(replication.Topic("D2", replication.KindAck), 1, func(paho.Client, paho.Message) {})
	sub.WaitTimeout(5 * time.Second)
	st, _ := sub.(*paho.SubscribeToken)
	if sub.Error() == nil && (st == nil || st.Result()[replication.Topic("D2", replication.KindAck)] != 0x80) {
		t.Fatalf("D1 was allowed to read D2's acks: %v %v", sub.Error(), st.Result())
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
