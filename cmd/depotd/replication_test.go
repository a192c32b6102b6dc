package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/partsedge/partsedge/cmd/internal/config"
	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/brokertest"
)

func TestReplicationSettings(t *testing.T) {
	dir := t.TempDir()
	st, err := inventory.Open(inventory.Options{Dir: dir, Depot: "SET-1", GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		name, mqtt, ca string
		publisher      bool
		err            string
	}{
		{"empty stays offline", "", "", false, ""},
		{"embedded is not the publisher's to start", "embedded", "", false, ""},
		{"tcp", "tcp://127.0.0.1:1883", "", true, ""},
		{"ssl with the system roots", "ssl://hq.example:8883", "", true, ""},
		{"another scheme", "mqtt://hq:1883", "", false, "want tcp://host:port"},
		{"no host", "tcp://", "", false, "want tcp://host:port"},
		{"a CA file for a plain broker", "tcp://hq:1883", notPEM, false, "not ssl://"},
		{"a CA file that holds no certificate", "ssl://hq:8883", notPEM, false, "no PEM certificate"},
		{"a missing CA file", "ssl://hq:8883", filepath.Join(dir, "none.pem"), false, "mqtt-ca-file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := newPublisher(config.Config{MQTT: tc.mqtt, MQTTCAFile: tc.ca}, st, log)
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("err %v, want one with %q", err, tc.err)
			case tc.err == "" && err != nil:
				t.Fatal(err)
			case (p != nil) != tc.publisher:
				t.Fatalf("publisher %v, want %v", p != nil, tc.publisher)
			}
		})
	}
}

// depotd with PARTSEDGE_MQTT set replicates its log to HQ (the test's
// stand-in, checking every batch), reports it on the API and in metrics,
// and says offline on a clean stop.
func TestDepotdReplicates(t *testing.T) {
	broker := brokertest.StartEmbedded(t, nil)
	const depotID = "REPL-1"
	hq := newMiniHQ(t, broker.URL(), depotID)

	cfg := writeConfig(t, fmt.Sprintf("depot: %s\ndata: %s\nlisten: 127.0.0.1:0\nadminToken: repl-admin-token-0123\ndemo: true\nlogLevel: warn\nmqtt: %s\n",
		depotID, t.TempDir(), broker.URL()))
	p := startInProcess(t, cfg)
	d := p.d
	want := uint64(len(demoCommands()))
	hq.waitHWM(t, want)

	var st struct {
		Enabled, Connected bool
		AckSeq, Head       uint64
		Backlog            uint64
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := d.call(t, "GET", "/api/v1/replication", p.token, "")
		if code != 200 {
			t.Fatalf("replication %d %s", code, body)
		}
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatal(err)
		}
		if st.Enabled && st.Connected && st.AckSeq == want && st.Head == want && st.Backlog == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replication state %s", body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, body := d.call(t, "GET", "/metrics", "", ""); code != 200 ||
		!strings.Contains(body, "partsedge_replication_backlog_events 0") ||
		!strings.Contains(body, fmt.Sprintf("partsedge_replication_acked_seq %d", want)) {
		t.Errorf("metrics %d lack the replication state", code)
	}
	p.stop(t)
	s := hq.lastStatus(t)
	if s.State != replication.StateOffline || s.LastSeq != want {
		t.Errorf("status after a clean stop: %+v", s)
	}
}

// miniHQ applies the exact continuation of its high-water mark and
// acknowledges, retained, as the protocol says HQ does.
type miniHQ struct {
	c      mqtt.Client
	mu     sync.Mutex
	hwm    uint64
	status replication.Status
}

func newMiniHQ(t *testing.T, broker, depotID string) *miniHQ {
	return newMiniHQTLS(t, broker, depotID, nil)
}

func newMiniHQTLS(t *testing.T, broker, depotID string, tc *tls.Config) *miniHQ {
	h := &miniHQ{}
	o := mqtt.NewClientOptions().AddBroker(broker).SetClientID("mini-hq")
	if tc != nil {
		o.SetTLSConfig(tc)
	}
	h.c = mqtt.NewClient(o)
	if tok := h.c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	t.Cleanup(func() { h.c.Disconnect(0) })
	sub := func(kind string, fn func(payload []byte)) {
		tok := h.c.Subscribe(replication.Topic(depotID, kind), 1, func(_ mqtt.Client, m mqtt.Message) { fn(m.Payload()) })
		if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("subscribe: %v", tok.Error())
		}
	}
	sub(replication.KindEvents, func(payload []byte) {
		b, _, err := replication.DecodeBatch(depotID, payload)
		if err != nil {
			t.Errorf("batch: %v", err)
			return
		}
		h.mu.Lock()
		if b.From == h.hwm+1 {
			h.hwm = b.To
		}
		ack, _ := json.Marshal(replication.Ack{V: replication.Version, Epoch: b.Epoch, Seq: h.hwm})
		h.mu.Unlock()
		// Not in paho's handler, which must not block on Publish; acks are
		// cumulative, so their order does not matter.
		go h.c.Publish(replication.Topic(depotID, replication.KindAck), 1, true, ack)
	})
	sub(replication.KindStatus, func(payload []byte) {
		s, err := replication.DecodeStatus(depotID, payload)
		if err != nil {
			t.Errorf("status: %v", err)
			return
		}
		h.mu.Lock()
		h.status = s
		h.mu.Unlock()
	})
	return h
}

func (h *miniHQ) waitHWM(t *testing.T, seq uint64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		h.mu.Lock()
		hwm := h.hwm
		h.mu.Unlock()
		if hwm >= seq {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("hq at %d, want %d", hwm, seq)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (h *miniHQ) lastStatus(t *testing.T) replication.Status {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.mu.Lock()
		s := h.status
		h.mu.Unlock()
		if s.State == replication.StateOffline || time.Now().After(deadline) {
			return s
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Over ssl:// the publisher trusts the CA file's CAs besides the system's:
// a broker whose certificate a private CA signed is reached, and the log
// replicates through it.
func TestReplicationOverTLS(t *testing.T) {
	caPEM, serverCert := testPKI(t)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	broker := brokertest.StartEmbedded(t, &tls.Config{Certificates: []tls.Certificate{serverCert}, MinVersion: tls.VersionTLS12})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	const depotID = "TLS-1"
	hq := newMiniHQTLS(t, broker.URL(), depotID, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})

	st, err := inventory.Open(inventory.Options{Dir: filepath.Join(dir, "store"), Depot: depotID, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i := range 3 {
		if _, err := st.Append(context.Background(), inventory.Command{Type: inventory.EvPartDefined, Actor: "t",
			Part: &inventory.Part{SKU: fmt.Sprintf("TLS-%d", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	p, err := newPublisher(config.Config{MQTT: broker.URL(), MQTTCAFile: caFile}, st, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := runPublisher(ctx, p, slog.New(slog.DiscardHandler))
	defer func() { cancel(); <-done }()
	hq.waitHWM(t, 3)
}

// testPKI makes a CA and a certificate for 127.0.0.1 it signed.
func testPKI(t *testing.T) (caPEM []byte, server tls.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Partsedge test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "broker"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
