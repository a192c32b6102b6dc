package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partsedge/partsedge/cmd/internal/proctest"
	"github.com/partsedge/partsedge/inventory"
)

// requireMosquitto fails (never skips) when Mosquitto is missing: the
// acceptance test is the proof of issue 5 and must not pass by not running.
func requireMosquitto(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("mosquitto"); err == nil {
		return
	}
	if _, err := os.Stat("/usr/sbin/mosquitto"); err == nil {
		return // Debian installs it outside a user's PATH; brokertest finds it there
	}
	t.Fatal("mosquitto is not installed: run `make deps` (it runs .ci/install-deps) and test again")
}

// buildBinaries builds the real depotd and hqd (once for the package).
func buildBinaries(t *testing.T) (depotd, hqd string) {
	t.Helper()
	bins.Build(t, "../depotd", ".")
	return bins.Path(t, "../depotd"), bins.Path(t, ".")
}

// proc is one run of a daemon binary.
type proc struct {
	*proctest.Proc
	base string // http://127.0.0.1:port
}

var (
	depotdReady = regexp.MustCompile(`^depotd \S+ ready at (http://\S+)`)
	hqdReady    = regexp.MustCompile(`^hqd ready at (http://\S+)$`)
)

// startProc runs bin with only the given PARTSEDGE_* settings, waits for its
// ready line (which names the listen address: the tests use port 0, so a
// restart gets a new one) and for /readyz when waitReady says so. The
// process is killed when the test ends; its stderr is logged if it failed.
func startProc(t *testing.T, name, bin string, ready *regexp.Regexp, waitReady bool, env ...string) *proc {
	t.Helper()
	p := &proc{Proc: proctest.Start(t, proctest.Spec{Name: name, Bin: bin, Env: env, Ready: ready})}
	p.base = p.Ready[1]
	if waitReady {
		p.WaitReadyz(t, p.base)
	}
	return p
}

// kill is kill -9; it returns once the process is gone.
func (p *proc) kill() { p.Kill() }

// proxy is a TCP relay between a depot and the broker that the test can
// cut and restore: the depot stays up and keeps working while its path to
// the broker is gone, as when a depot's WAN link drops.
type proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.setCut(true)
		p.wg.Wait()
	})
	return p
}

// URL is the broker URL to give the depot.
func (p *proxy) URL() string { return "tcp://" + p.ln.Addr().String() }

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			c.Close() // the link is down: the connection dies at once
			continue
		}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.relay(c)
	}
}

func (p *proxy) relay(down net.Conn) {
	defer p.wg.Done()
	up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		down.Close() // the broker is restarting: the depot retries
		return
	}
	if !p.track(down, up) {
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(up, down)
	go pipe(down, up)
	<-done
	// One side ended: end both so the depot sees the broker's restart.
	down.Close()
	up.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, down)
	delete(p.conns, up)
	p.mu.Unlock()
}

// track registers a relay's two ends, or closes them when the link was cut
// meanwhile.
func (p *proxy) track(down, up net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		down.Close()
		up.Close()
		return false
	}
	p.conns[down], p.conns[up] = true, true
	return true
}

// setCut drops every relayed connection and refuses new ones (true), or
// lets connections through again (false).
func (p *proxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			c.Close()
		}
	}
}

// client talks to a daemon's API with the admin token.
type client struct {
	token string
	http  *http.Client
}

// do sends one request; body is JSON-encoded unless nil.
func (c client) do(ctx context.Context, method, url, key string, body any) (int, []byte, error) {
	return proctest.Do(ctx, c.http, method, url, c.token, key, body)
}

// getJSON GETs url and decodes a 200 answer into into.
func (c client) getJSON(url string, into any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code, body, err := c.do(ctx, "GET", url, "", nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	if code != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", url, code, bytes.TrimSpace(body))
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("GET %s: decode: %w", url, err)
	}
	return nil
}

// depotEvents is a depot's whole log, each event compacted, in seq order.
func (c client) depotEvents(base string) ([][]byte, error) {
	var all [][]byte
	after := uint64(0)
	for {
		var page struct {
			Items []json.RawMessage `json:"items"`
			Next  *uint64           `json:"next"`
		}
		if err := c.getJSON(fmt.Sprintf("%s/api/v1/events?after=%d&limit=1000", base, after), &page); err != nil {
			return nil, err
		}
		for _, raw := range page.Items {
			cb, err := compact(raw)
			if err != nil {
				return nil, err
			}
			all = append(all, cb)
		}
		if page.Next == nil || len(page.Items) == 0 {
			return all, nil
		}
		after = *page.Next
	}
}

// hqEvents is what HQ holds of depot's log, each event compacted, in seq
// order. HQ's page has no cursor: the next page starts after the last seq.
func (c client) hqEvents(base, depot string) ([][]byte, error) {
	var all [][]byte
	after := uint64(0)
	for {
		var page struct {
			Events []json.RawMessage `json:"events"`
		}
		url := fmt.Sprintf("%s/api/v1/depots/%s/events?after=%d&limit=1000", base, depot, after)
		if err := c.getJSON(url, &page); err != nil {
			return nil, err
		}
		for _, raw := range page.Events {
			cb, err := compact(raw)
			if err != nil {
				return nil, err
			}
			var ev struct {
				Seq uint64 `json:"seq"`
			}
			if err := json.Unmarshal(cb, &ev); err != nil || ev.Seq <= after {
				return nil, fmt.Errorf("HQ's events of %s after %d: an event with seq %d (%v)", depot, after, ev.Seq, err)
			}
			after = ev.Seq
			all = append(all, cb)
		}
		if len(page.Events) < 1000 {
			return all, nil
		}
	}
}

func compact(raw []byte) ([]byte, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, fmt.Errorf("compact %.80s: %w", raw, err)
	}
	return b.Bytes(), nil
}

// depotStock is the depot's balances, normalised.
func (c client) depotStock(base string) ([]inventory.Balance, error) {
	var ans struct {
		Items     []inventory.Balance `json:"items"`
		Truncated bool                `json:"truncated"`
	}
	if err := c.getJSON(base+"/api/v1/stock?limit=10000", &ans); err != nil {
		return nil, err
	}
	if ans.Truncated {
		return nil, errors.New("the depot's stock answer is truncated at 10,000 rows")
	}
	return normalise(ans.Items), nil
}

// hqStock is HQ's derived balances of one depot, normalised.
func (c client) hqStock(base, depot string) ([]inventory.Balance, error) {
	var ans struct {
		Depot     string              `json:"depot"`
		Balances  []inventory.Balance `json:"balances"`
		Truncated bool                `json:"truncated"`
	}
	if err := c.getJSON(base+"/api/v1/depots/"+depot+"/stock", &ans); err != nil {
		return nil, err
	}
	if ans.Truncated {
		return nil, fmt.Errorf("HQ's stock of %s is truncated at %d rows", depot, len(ans.Balances))
	}
	if ans.Depot != depot {
		return nil, fmt.Errorf("HQ's stock of %s names depot %q", depot, ans.Depot)
	}
	return normalise(ans.Balances), nil
}

// normalise drops rows that hold nothing (HQ omits them, the depot may
// keep them) and sorts by sku, location, lot, serial.
func normalise(rows []inventory.Balance) []inventory.Balance {
	out := slices.DeleteFunc(slices.Clone(rows), func(b inventory.Balance) bool {
		return b.OnHand == 0 && b.Reserved == 0 && b.Available == 0
	})
	slices.SortFunc(out, func(a, b inventory.Balance) int {
		for _, c := range [][2]string{{a.SKU, b.SKU}, {a.Location, b.Location}, {a.Lot, b.Lot}, {a.Serial, b.Serial}} {
			if n := strings.Compare(c[0], c[1]); n != 0 {
				return n
			}
		}
		return 0
	})
	return out
}
