package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// Webhook deliveries. Each notice record is POSTed on its own to every
// configured URL, in log order, as JSON:
//
//	{"deliveryId":"D1:42","depot":"D1","notice":{...inventory.Notice...}}
//
// with the headers
//
//	X-Partsedge-Delivery:  the delivery id (depot ":" notice seq), the same on every retry
//	X-Partsedge-Timestamp: Unix seconds when this attempt was signed
//	X-Partsedge-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// The receiver recomputes the signature over the timestamp header, a dot
// and the raw body with the shared secret (PARTSEDGE_WEBHOOK_SECRET),
// compares in constant time, refuses timestamps too far from its clock
// (replays), and dedups on the delivery id: delivery is at least once. Any
// 2xx answer is the receipt; anything else, or no answer, is retried with
// a growing backoff until it is one. Each URL has its own goroutine and
// durable cursor (the last seq it took), so a dead endpoint never holds up
// another, and a restart resumes after the cursor: nothing lost, at most
// the one record in flight sent again. A URL seen for the first time
// starts at the end of the log, not with its whole history.

// Header names of a webhook delivery.
const (
	HeaderDelivery  = "X-Partsedge-Delivery"
	HeaderTimestamp = "X-Partsedge-Timestamp"
	HeaderSignature = "X-Partsedge-Signature"
)

// Delivery is the body of a webhook POST.
type Delivery struct {
	DeliveryID string           `json:"deliveryId"`
	Depot      string           `json:"depot"`
	Notice     inventory.Notice `json:"notice"`
}

// Sign is the signature header's value for a body sent at timestamp.
func Sign(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a delivery's signature header (for receivers written in
// Go, and the tests).
func Verify(secret []byte, timestamp string, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, timestamp, body)), []byte(signature))
}

// WebhookOptions configure the webhook deliveries.
type WebhookOptions struct {
	URLs   []string
	Secret string
	// Client sends the POSTs; one with a 10 s timeout when nil.
	Client *http.Client
	// MinBackoff and MaxBackoff bound the wait between attempts (defaults
	// 1 s and 5 min); it doubles from the first to the second, with jitter.
	MinBackoff, MaxBackoff time.Duration
	// Now stamps the signatures; time.Now when nil.
	Now func() time.Time
}

// ParseWebhookURLs splits the comma-separated setting and checks each is
// an absolute http or https URL.
func ParseWebhookURLs(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		u := strings.TrimSpace(part)
		if u == "" {
			continue
		}
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, fmt.Errorf("webhook %q: want an http:// or https:// URL", u)
		}
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out, nil
}

// WebhookStats count one URL's deliveries since start.
type WebhookStats struct {
	URL       string `json:"url"`
	Cursor    uint64 `json:"cursor"`
	Delivered uint64 `json:"delivered"`
	Failures  uint64 `json:"failures"`
}

type hook struct {
	url                 string
	cursor              atomic.Uint64
	delivered, failures atomic.Uint64
}

// Webhooks delivers the notice log to the configured URLs.
type Webhooks struct {
	n     *Notifier
	opts  WebhookOptions
	hooks []*hook
}

// Webhooks returns the deliveries to o.URLs; Run starts them.
func (n *Notifier) Webhooks(o WebhookOptions) *Webhooks {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(5*time.Minute, o.MinBackoff)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	w := &Webhooks{n: n, opts: o}
	for _, u := range o.URLs {
		w.hooks = append(w.hooks, &hook{url: u})
	}
	return w
}

// Stats reports each URL's deliveries.
func (w *Webhooks) Stats() []WebhookStats {
	out := make([]WebhookStats, len(w.hooks))
	for i, h := range w.hooks {
		out[i] = WebhookStats{URL: h.url, Cursor: h.cursor.Load(), Delivered: h.delivered.Load(), Failures: h.failures.Load()}
	}
	return out
}

// Run delivers to every URL until ctx ends and returns when each has
// stopped.
func (w *Webhooks) Run(ctx context.Context) {
	done := make(chan struct{}, len(w.hooks))
	for _, h := range w.hooks {
		go func() {
			defer func() { done <- struct{}{} }()
			w.run(ctx, h)
		}()
	}
	for range w.hooks {
		<-done
	}
}

func cursorName(u string) string { return "webhook " + u }

func (w *Webhooks) run(ctx context.Context, h *hook) {
	log := w.n.opts.Log.With("webhook", h.url)
	name := cursorName(h.url)
	for {
		cur, ok, err := w.n.store.NoticeCursor(name)
		if err == nil && !ok {
			if cur, err = w.n.store.NoticeHead(); err == nil {
				err = w.n.store.SetNoticeCursor(name, cur)
			}
		}
		if err == nil {
			h.cursor.Store(cur)
			break
		}
		log.Error("webhook: read its cursor", "err", err)
		if !sleep(ctx, w.opts.MaxBackoff) {
			return
		}
	}
	for {
		changed := w.n.Changed()
		recs, err := w.n.store.NoticeLog(h.cursor.Load(), 100)
		if err != nil {
			log.Error("webhook: read the notice log", "err", err)
			if !sleep(ctx, w.opts.MinBackoff) {
				return
			}
			continue
		}
		for _, rec := range recs {
			if !w.deliver(ctx, h, rec, log) {
				return
			}
			if err := w.n.store.SetNoticeCursor(name, rec.Seq); err != nil {
				// Delivered, not remembered: after a restart it goes again,
				// which the delivery id makes harmless.
				log.Error("webhook: remember its cursor", "err", err)
			}
			h.cursor.Store(rec.Seq)
			h.delivered.Add(1)
		}
		if len(recs) > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}

// deliver POSTs rec until a 2xx answer; false when ctx ended first.
func (w *Webhooks) deliver(ctx context.Context, h *hook, rec inventory.Notice, log *slog.Logger) bool {
	id := rec.Depot + ":" + strconv.FormatUint(rec.Seq, 10)
	body, err := json.Marshal(Delivery{DeliveryID: id, Depot: rec.Depot, Notice: rec})
	if err != nil {
		log.Warn("webhook: encode", "err", err)
		return true // cannot happen for a record the store decoded; skipping beats a stuck queue
	}
	backoff := w.opts.MinBackoff
	for attempt := 1; ; attempt++ {
		err := w.post(ctx, h.url, id, body)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		h.failures.Add(1)
		wait := backoff/2 + rand.N(backoff/2+1)
		log.Warn("webhook: delivery failed; retrying", "delivery", id, "attempt", attempt, "retryIn", wait, "err", err)
		if !sleep(ctx, wait) {
			return false
		}
		backoff = min(2*backoff, w.opts.MaxBackoff)
	}
}

func (w *Webhooks) post(ctx context.Context, u, id string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(w.opts.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "partsedge-depotd")
	req.Header.Set(HeaderDelivery, id)
	req.Header.Set(HeaderTimestamp, ts)
	if w.opts.Secret != "" {
		req.Header.Set(HeaderSignature, Sign([]byte(w.opts.Secret), ts, body))
	}
	resp, err := w.opts.Client.Do(req)
	if err != nil {
		return err
	}
	// The answer's body is not read: only the status is the receipt.
	if err := resp.Body.Close(); err != nil {
		return fmt.Errorf("close the answer: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("answered %s", resp.Status)
	}
	return nil
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
