package brokertest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/mosquitto"
)

const wait = 20 * time.Second

func await(tok mqtt.Token) error {
	if !tok.WaitTimeout(wait) {
		return errors.New("no answer from the broker")
	}
	return tok.Error()
}

func TestUsernames(t *testing.T) {
	tests := []struct {
		name   string
		depots []string
		want   string // joined users, or "error"
	}{
		{"none", nil, "hq"},
		{"two", []string{"D1", "D-2"}, "hq D1 D-2"},
		{"named like HQ", []string{mosquitto.HQUser}, "error"},
		{"twice", []string{"D1", "D1"}, "error"},
		{"wildcard", []string{"D+"}, "error"},
		{"separator", []string{"D/1"}, "error"},
		{"empty", []string{""}, "error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			users, err := usernames(tc.depots)
			got := strings.Join(users, " ")
			if err != nil {
				got = "error"
			}
			if got != tc.want {
				t.Fatalf("usernames(%q) = %q (%v), want %q", tc.depots, got, err, tc.want)
			}
		})
	}
}

// TestPasswordLineMatchesMosquittoPasswd checks our $7$ lines have the shape
// mosquitto_passwd writes (the broker tests prove Mosquitto accepts them).
func TestPasswordLineMatchesMosquittoPasswd(t *testing.T) {
	line, err := PasswordLine("D1", "secret")
	if err != nil {
		t.Fatal(err)
	}
	file := t.TempDir() + "/passwd"
	if out, err := exec.Command("mosquitto_passwd", "-c", "-b", file, "D1", "secret").CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_passwd: %v: %s", err, out)
	}
	theirs := strings.TrimSpace(readFile(t, file))
	shape := func(l string) string {
		parts := strings.Split(l, "$")
		lens := make([]string, len(parts))
		for i, p := range parts {
			lens[i] = fmt.Sprint(len(p))
		}
		return parts[0] + parts[1] + parts[2] + " " + strings.Join(lens, ",")
	}
	if shape(line) != shape(theirs) {
		t.Fatalf("ours %q, mosquitto_passwd's %q", line, theirs)
	}
	if _, err := PasswordLine("D:1", "x"); err == nil {
		t.Fatal("a username with ':' was accepted")
	}
}

// client connects user with a persistent session (clean session off) and
// collects what arrives, including what the broker queued while it was
// away.
type client struct {
	mqtt.Client
	mu  sync.Mutex
	got []string
}

func connectAs(t *testing.T, b *Broker, user string, clean bool) *client {
	t.Helper()
	c := &client{}
	o := mqtt.NewClientOptions().AddBroker(b.URL()).SetClientID(user + "-persistent").
		SetUsername(user).SetPassword(b.Password(user)).SetCleanSession(clean).
		SetAutoReconnect(false).SetConnectTimeout(wait).
		SetDefaultPublishHandler(func(_ mqtt.Client, m mqtt.Message) {
			c.mu.Lock()
			c.got = append(c.got, string(m.Payload()))
			c.mu.Unlock()
		})
	c.Client = mqtt.NewClient(o)
	if err := await(c.Connect()); err != nil {
		t.Fatalf("connect %s: %v", user, err)
	}
	t.Cleanup(func() { c.Disconnect(0) })
	return c
}

func (c *client) received() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.got...)
}

func TestQueueOverflowDropsSilently(t *testing.T) {
	const limit, sent = 3, 10
	b := Start(t, Options{Depots: []string{"D1"}, MaxQueuedMessages: limit, MaxInflightMessages: 1})
	events := replication.Topic("D1", replication.KindEvents)
	hq := connectAs(t, b, mosquitto.HQUser, false)
	if err := await(hq.Subscribe(events, 1, nil)); err != nil {
		t.Fatal(err)
	}
	hq.Disconnect(0) // the session stays at the broker and queues for HQ

	d1 := connectAs(t, b, "D1", true)
	for i := range sent {
		if err := await(d1.Publish(events, 1, false, fmt.Sprint(i))); err != nil {
			t.Fatalf("publish %d: %v (a full queue is not the publisher's error)", i, err)
		}
	}
	// The broker sends HQ's queue when it reconnects; a message published
	// after that comes behind the queue and marks its end.
	hq = connectAs(t, b, mosquitto.HQUser, false)
	if err := await(d1.Publish(events, 1, false, "marker")); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(wait)
	for {
		got := hq.received()
		if len(got) > 0 && got[len(got)-1] == "marker" {
			got = got[:len(got)-1]
			if len(got) != limit {
				t.Fatalf("HQ received %q of %d queued, want the queue cut at its limit %d", got, sent, limit)
			}
			for i, p := range got {
				if p != fmt.Sprint(i) {
					t.Fatalf("HQ received %q: the oldest are kept, the rest dropped", got)
				}
			}
			return
		}
		select {
		case <-deadline:
			t.Fatalf("no marker; received %q", got)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestPersistence(t *testing.T) {
	ack := replication.Topic("D1", replication.KindAck)
	tests := []struct {
		name        string
		persistence bool
		kill        bool
		kept        bool
	}{
		{"clean stop keeps the snapshot", true, false, true},
		{"kill before an autosave loses it", true, true, false},
		{"without persistence a restart forgets", false, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := Start(t, Options{Depots: []string{"D1"}, Persistence: tc.persistence})
			hq := connectAs(t, b, mosquitto.HQUser, true)
			if err := await(hq.Publish(ack, 1, true, "retained")); err != nil {
				t.Fatal(err)
			}
			hq.Disconnect(0)
			if tc.kill {
				b.Kill()
			}
			if err := b.Restart(); err != nil {
				t.FailNow()
			}
			d1 := connectAs(t, b, "D1", true)
			if err := await(d1.Subscribe(ack, 1, nil)); err != nil {
				t.Fatal(err)
			}
			// The retained message, if any, comes right after the SUBACK; a
			// live one HQ publishes after that marks the end.
			hq = connectAs(t, b, mosquitto.HQUser, true)
			if err := await(hq.Publish(ack, 1, false, "marker")); err != nil {
				t.Fatal(err)
			}
			deadline := time.After(wait)
			for {
				got := d1.received()
				if len(got) > 0 && got[len(got)-1] == "marker" {
					if kept := len(got) == 2 && got[0] == "retained"; kept != tc.kept {
						t.Fatalf("received %q, want the retained ack kept=%v", got, tc.kept)
					}
					return
				}
				select {
				case <-deadline:
					t.Fatalf("no marker; received %q", got)
				case <-time.After(10 * time.Millisecond):
				}
			}
		})
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
