// Package broker is the embedded MQTT broker (mochi-mqtt) that makes a
// one-machine depot and HQ work without installing one: the same access
// rule as the Mosquitto configuration (replication.Access), users with
// passwords, nothing anonymous. Production sites point depots at their own
// broker or cluster instead (docs/scaling.md).
package broker

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/partsedge/partsedge/replication"
)

// Options configure an embedded broker.
type Options struct {
	// Addr is the TCP address to listen on, e.g. 127.0.0.1:1883; port 0
	// picks a free one (Addr then tells which).
	Addr string
	// Users are the MQTT users and their passwords: HQ's user and one per
	// depot, named by the depot's id.
	Users map[string]string
	// HQ names HQ's user among Users.
	HQ  string
	Log *slog.Logger
}

// Broker is a running embedded broker.
type Broker struct {
	srv  *mqtt.Server
	addr string
}

// Start listens and serves until Close.
func Start(opts Options) (*Broker, error) {
	if opts.HQ == "" {
		return nil, errors.New("embedded broker: name HQ's user")
	}
	if _, ok := opts.Users[opts.HQ]; !ok {
		return nil, fmt.Errorf("embedded broker: HQ's user %q has no password", opts.HQ)
	}
	for user := range opts.Users {
		if user != opts.HQ {
			if err := replication.ValidDepot(user); err != nil {
				return nil, fmt.Errorf("embedded broker: user %q: %w", user, err)
			}
		}
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// The listener is opened here, not by mochi, so port 0 works and a
	// busy port fails Start instead of a goroutine.
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("embedded broker: %w", err)
	}
	srv := mqtt.New(&mqtt.Options{Logger: log, InlineClient: false})
	h := &accessHook{access: replication.Access{HQ: opts.HQ}, users: map[string][32]byte{}}
	for u, p := range opts.Users {
		h.users[u] = sha256.Sum256([]byte(p))
	}
	if err := srv.AddHook(h, nil); err != nil {
		ln.Close()
		return nil, fmt.Errorf("embedded broker: %w", err)
	}
	tcp := listeners.NewNet("tcp", ln)
	if err := srv.AddListener(tcp); err != nil {
		ln.Close()
		return nil, fmt.Errorf("embedded broker: %w", err)
	}
	if err := srv.Serve(); err != nil {
		srv.Close()
		return nil, fmt.Errorf("embedded broker: %w", err)
	}
	return &Broker{srv: srv, addr: ln.Addr().String()}, nil
}

// Addr is the address the broker listens on.
func (b *Broker) Addr() string { return b.addr }

// URL is the broker's tcp:// URL for clients.
func (b *Broker) URL() string { return "tcp://" + b.addr }

// Close disconnects every client and stops listening.
func (b *Broker) Close() error { return b.srv.Close() }

// accessHook authenticates users by password and holds them to the
// protocol's access rule.
type accessHook struct {
	mqtt.HookBase
	access replication.Access
	// users keep SHA-256 digests, so a comparison takes the same time
	// whatever the guess.
	users map[string][32]byte
}

func (h *accessHook) ID() string { return "partsedge-access" }

func (h *accessHook) Provides(b byte) bool {
	return bytes.Contains([]byte{mqtt.OnConnectAuthenticate, mqtt.OnACLCheck}, []byte{b})
}

func (h *accessHook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	want, ok := h.users[string(pk.Connect.Username)]
	got := sha256.Sum256(pk.Connect.Password)
	return ok && subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

func (h *accessHook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	user := string(cl.Properties.Username)
	if write {
		return h.access.MayPublish(user, topic)
	}
	return h.access.MaySubscribe(user, topic)
}
