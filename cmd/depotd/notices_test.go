package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/hq"
	"github.com/partsedge/partsedge/replication/notify"
)

func TestNoticeSettings(t *testing.T) {
	data := t.TempDir()
	base := []string{"--depot", "N1", "--data", data}
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"a webhook that is no URL", []string{"--webhooks", "hooks.example/x", "--webhook-secret", "0123456789abcdef"}, "webhook"},
		{"webhooks without a secret", []string{"--webhooks", "https://hooks.example/x"}, "webhook secret"},
		{"a short secret", []string{"--webhooks", "https://hooks.example/x", "--webhook-secret", "short"}, "at least 16"},
		{"expiry days not a number", []string{"--expiry-days", "a month"}, "expiry-days"},
		{"expiry days zero", []string{"--expiry-days", "0"}, "expiry-days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append(append([]string(nil), base...), tc.args...), func(string) string { return "" }, &stdout, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tc.stderr) {
				t.Fatalf("exit %d, stderr %q (want 2 and %q)", code, stderr.String(), tc.stderr)
			}
		})
	}
	if entries, err := os.ReadDir(data); err != nil || len(entries) != 0 {
		t.Errorf("a refused setting wrote %v (%v)", entries, err)
	}
}

// hookSink is a webhook receiver that checks the signature.
type hookSink struct {
	secret []byte
	mu     sync.Mutex
	got    []notify.Delivery
	bad    int
}

func (h *hookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !notify.Verify(h.secret, r.Header.Get(notify.HeaderTimestamp), body, r.Header.Get(notify.HeaderSignature)) {
		h.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var d notify.Delivery
	if err := json.Unmarshal(body, &d); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.got = append(h.got, d)
	w.WriteHeader(http.StatusOK)
}

func (h *hookSink) deliveries() []notify.Delivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]notify.Delivery(nil), h.got...)
}

// TestDepotdNotices: a depot running its embedded broker (a one-box site)
// with a webhook configured. A lot that expires within the configured 10
// days is received: the notice is on the API (in Chinese when asked), the
// webhook gets it signed, and HQ, subscribed to the depot's broker as
// "hq", stores it.
func TestDepotdNotices(t *testing.T) {
	const secret = "hook-secret-0123456789"
	sink := &hookSink{secret: []byte(secret)}
	hookSrv := httptest.NewServer(sink)
	defer hookSrv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mqttAddr := ln.Addr().String()
	ln.Close()
	users := filepath.Join(t.TempDir(), "users")
	if err := os.WriteFile(users, []byte("hq:hq-password\nNOTE-1:depot-password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const token = "notice-admin-token-0123"
	cfg := writeConfig(t, fmt.Sprintf("depot: NOTE-1\ndata: %s\nlisten: 127.0.0.1:0\nadminToken: %s\nlogLevel: warn\n"+
		"mqtt: embedded\nmqttListen: %s\nmqttUsers: %s\nwebhooks: %s\nwebhookSecret: %s\nexpiryDays: 10\n",
		t.TempDir(), token, mqttAddr, users, hookSrv.URL, secret))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := startInProcess(t, cfg)
	d := p.d

	h, err := hq.Open(hq.Options{Dir: t.TempDir(), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	sub, err := h.Subscribe(ctx, hq.MQTTOptions{Broker: "tcp://" + mqttAddr, User: "hq", Password: "hq-password", ClientID: "hq-notices-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	expiry := time.Now().UTC().AddDate(0, 0, 5).Format(time.DateOnly)
	for _, c := range []struct{ path, body string }{
		{"/api/v1/parts", `{"sku":"GAS-R32","tracking":"lot","unit":"ml"}`},
		{"/api/v1/locations", `{"code":"A-1"}`},
		{"/api/v1/events", `{"type":"receipt","lines":[{"sku":"GAS-R32","qty":500,"to":"A-1","lot":"L-77","expiry":"` + expiry + `"}]}`},
	} {
		if code, body := d.call(t, "POST", c.path, token, c.body); code != 201 && code != 200 {
			t.Fatalf("POST %s: %d %s", c.path, code, body)
		}
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s\n%s", what, p.stderr.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	wantMsg := "Lot L-77 of GAS-R32 expires on " + expiry + ": 500 on hand"
	waitFor("the webhook delivery", func() bool {
		got := sink.deliveries()
		return len(got) == 1 && got[0].Notice.Message == wantMsg && got[0].DeliveryID == "NOTE-1:1"
	})
	waitFor("the notice at HQ", func() bool {
		all, err := h.Notices(hq.NoticeFilter{Depot: "NOTE-1"})
		return err == nil && len(all) == 1 && all[0].Kind == inventory.ReminderLotExpiring && all[0].State == inventory.NoticeRaised
	})
	req, _ := http.NewRequest("GET", d.base+"/api/v1/notices?open=true", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept-Language", "zh-CN")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []inventory.Notice `json:"items"`
		Open  int                `json:"open"`
	}
	err = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if err != nil || list.Open != 1 || len(list.Items) != 1 || list.Items[0].Message != "GAS-R32 的批次 L-77 将于 "+expiry+" 过期：库存 500" {
		t.Fatalf("GET /notices: %+v, %v", list, err)
	}
	p.stop(t)
	if sink.bad != 0 {
		t.Errorf("%d deliveries with a bad signature", sink.bad)
	}
}
