package replbench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/brokertest"
	"github.com/partsedge/partsedge/replication/depot"
	"github.com/partsedge/partsedge/replication/hq"
	"github.com/partsedge/partsedge/replication/mosquitto"
)

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// shippedSetting reads a number from the shipped mosquitto.conf: the
// benchmarks run with the queue and in-flight limits operators get (unless
// a scenario needs more), read from the file so they cannot drift from it.
func shippedSetting(tb testing.TB, key string) int {
	tb.Helper()
	for _, line := range strings.Split(mosquitto.Config(), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		if ok && k == key {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				tb.Fatalf("shipped mosquitto.conf: %s %q: %v", key, v, err)
			}
			return n
		}
	}
	tb.Fatalf("shipped mosquitto.conf sets no %s", key)
	return 0
}

// ensureOpenFiles makes sure this process, and so the Mosquitto it starts,
// may hold need file descriptors: 500 depots are 500 sockets at the broker
// and 500 more here. Mosquitto has no setting of its own for it; it lives
// with the limit it inherits. The Go runtime raises its own soft limit at
// start but hands child processes the original one unless the program sets
// the limit itself, so it is set even when already high enough.
func ensureOpenFiles(tb testing.TB, need uint64) {
	tb.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		tb.Fatalf("read the open-files limit: %v", err)
	}
	if lim.Max < need {
		tb.Fatalf("the open-files hard limit is %d; this benchmark needs %d: raise it (ulimit -Hn %d)", lim.Max, need, need)
	}
	lim.Cur = max(lim.Cur, need)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		tb.Fatalf("set the open-files limit to %d: %v", lim.Cur, err)
	}
}

// startMosquitto runs a real Mosquitto with one user per depot and the
// shipped ACL; its queue is the shipped one or maxQueued if that is longer.
func startMosquitto(tb testing.TB, depots []string, maxQueued int) *brokertest.Broker {
	tb.Helper()
	ensureOpenFiles(tb, uint64(2*len(depots)+512))
	maxQueued = max(maxQueued, shippedSetting(tb, "max_queued_messages"))
	return brokertest.Start(tb, brokertest.Options{Depots: depots,
		MaxQueuedMessages: maxQueued, MaxInflightMessages: shippedSetting(tb, "max_inflight_messages")})
}

// ingest is HQ as hqd runs it: its Badger store and its MQTT subscriber.
type ingest struct {
	h   *hq.HQ
	sub *hq.Subscriber
	dir string
}

// startHQ opens an empty HQ in a fresh folder and waits until it is
// subscribed, so the clock never runs while HQ is still connecting.
func startHQ(tb testing.TB, br *brokertest.Broker, clientID string) *ingest {
	tb.Helper()
	dir, err := os.MkdirTemp("", "replbench-hq-")
	if err != nil {
		tb.Fatal(err)
	}
	h, err := hq.Open(hq.Options{Dir: dir, Log: quietLog()})
	if err != nil {
		os.RemoveAll(dir)
		tb.Fatal(err)
	}
	sub, err := h.Subscribe(context.Background(), hq.MQTTOptions{Broker: br.URL(), ClientID: clientID,
		User: mosquitto.HQUser, Password: br.Password(mosquitto.HQUser)})
	if err != nil {
		h.Close()
		os.RemoveAll(dir)
		tb.Fatal(err)
	}
	in := &ingest{h: h, sub: sub, dir: dir}
	tb.Cleanup(in.close)
	waitUntil(tb, time.Minute, "HQ subscribed", sub.Connected)
	return in
}

// close is idempotent: iterations close their HQ to free the disk, the
// cleanup closes whatever a failed iteration left.
func (in *ingest) close() {
	if in.sub != nil {
		in.sub.Close()
		in.sub = nil
	}
	if in.h != nil {
		in.h.Close()
		in.h = nil
	}
	os.RemoveAll(in.dir)
}

func (in *ingest) hwm(depot string) hq.HWM {
	d, _ := in.h.Depot(depot)
	return d.HWM
}

// check fails unless HQ holds exactly the depot's log: its HWM is the
// head (seq, epoch and hash, so the last event is the same one), every
// event was applied once and no batch was refused. It returns what HQ
// received and did not apply: the cost of resends.
func (in *ingest) check(tb testing.TB, id string, head inventory.Head) waste {
	tb.Helper()
	d, ok := in.h.Depot(id)
	switch {
	case !ok:
		tb.Fatalf("HQ never heard of depot %s", id)
	case d.HWM.Seq != head.Seq || d.HWM.Epoch != head.Epoch || d.HWM.Hash != head.Hash:
		tb.Fatalf("depot %s: HQ's HWM is %d/%d/%s, the depot's head %d/%d/%s (counters %+v)",
			id, d.HWM.Epoch, d.HWM.Seq, d.HWM.Hash, head.Epoch, head.Seq, head.Hash, d.Counters)
	case d.Counters.AppliedEvents != head.Seq:
		tb.Fatalf("depot %s: HQ applied %d events for a log of %d", id, d.Counters.AppliedEvents, head.Seq)
	}
	for reason, n := range d.Counters.Rejected {
		if n > 0 {
			tb.Fatalf("depot %s: HQ rejected %d batches (%s)", id, n, reason)
		}
	}
	return waste{dups: d.Counters.Duplicates, gaps: d.Counters.Gaps}
}

// waste counts batches HQ received and did not apply: repeats (a resend
// after an ack timeout, a reconnect) and gaps (a batch after one the broker
// dropped, or one that overtook another).
type waste struct{ dups, gaps uint64 }

func (w *waste) add(o waste) { w.dups += o.dups; w.gaps += o.gaps }

// report puts the counts per run of the scenario next to the benchmark's
// figures.
func (w waste) report(b *testing.B, runs int) {
	b.ReportMetric(float64(w.dups)/float64(runs), "dup-batches")
	b.ReportMetric(float64(w.gaps)/float64(runs), "gap-batches")
}

// waitApplied polls until HQ's HWM of depot reaches seq; a benchmark that
// loses an event ends here.
func (in *ingest) waitApplied(tb testing.TB, id string, seq uint64, within time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for in.hwm(id).Seq < seq {
		if time.Now().After(deadline) {
			d, _ := in.h.Depot(id)
			tb.Fatalf("depot %s: HQ at %d after %s, want %d (counters %+v)", id, d.HWM.Seq, within, seq, d.Counters)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func waitUntil(tb testing.TB, within time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// newPublisher is the depot publisher as depotd builds it (default window,
// batch size and poll), logging nowhere.
func newPublisher(tb testing.TB, st depot.Store, br *brokertest.Broker) *depot.Publisher {
	tb.Helper()
	id := st.Depot()
	p, err := depot.New(depot.Options{Store: st, Broker: br.URL(), Username: id, Password: br.Password(id),
		Version: "bench", Log: quietLog()})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// runPublisher starts p and returns a stop that waits for Run to end (the
// offline status and the saved ack).
func runPublisher(tb testing.TB, p *depot.Publisher) (stop func()) {
	return brokertest.Run(tb, "publisher", p.Run)
}

func openStore(tb testing.TB, dir, id string) *inventory.Store {
	tb.Helper()
	s, err := inventory.Open(inventory.Options{Dir: dir, Depot: id, GCInterval: -1, Log: quietLog()})
	if err != nil {
		tb.Fatal(err)
	}
	// Registered before any publisher's stop, so it runs after it: a
	// publisher saves its ack into the store on the way out.
	tb.Cleanup(func() { s.Close() })
	return s
}

// catalogue is what the logs are made of: bins and parts defined first,
// then receipts of random parts into random bins.
type catalogue struct{ bins, parts int }

func (c catalogue) bin(i int) string  { return fmt.Sprintf("BIN-%02d", i%c.bins) }
func (c catalogue) part(i int) string { return fmt.Sprintf("SP-%06d", i%c.parts) }

// define appends the bins and parts (they must commit before a receipt
// names them, so they come first and are waited for).
func (c catalogue) define(st *inventory.Store, writers int) error {
	n := c.bins + c.parts
	return appendConcurrently(st, n, writers, func(i int, _ *rand.Rand) inventory.Command {
		if i < c.bins {
			return inventory.Command{Type: inventory.EvLocationDefined, Actor: "loader",
				Location: &inventory.Location{Code: c.bin(i), Zone: string(rune('A' + i%5))}}
		}
		p := i - c.bins
		return inventory.Command{Type: inventory.EvPartDefined, Actor: "loader",
			Part: &inventory.Part{SKU: c.part(p), Description: "spare part " + strconv.Itoa(p)}}
	})
}

// receipt is the i-th receipt: a stock event of the common shape (one line,
// a purchase-order ref), so the events HQ checks are of a realistic size.
func (c catalogue) receipt(i int, r *rand.Rand) inventory.Command {
	return inventory.Command{Type: inventory.EvReceipt, Actor: "clerk", Ref: "PO-" + strconv.Itoa(i/100),
		Lines: []inventory.Line{{SKU: c.part(r.IntN(c.parts)), Qty: int64(1 + r.IntN(5)), To: c.bin(r.IntN(c.bins))}}}
}

// fill defines the catalogue and appends receipts until the log holds n
// events.
func (c catalogue) fill(st *inventory.Store, n, writers int) error {
	if err := c.define(st, writers); err != nil {
		return err
	}
	have := int(st.Head().Seq)
	return appendConcurrently(st, n-have, writers, c.receipt)
}

// appendConcurrently appends n commands from several writers, so they share
// the store's group commits (how a busy depot writes, and fast to build).
func appendConcurrently(st *inventory.Store, n, writers int, cmd func(i int, r *rand.Rand) inventory.Command) error {
	return concurrently(n, writers, 7, func(i int, r *rand.Rand) error {
		if _, err := st.Append(context.Background(), cmd(i, r)); err != nil {
			return fmt.Errorf("append %d: %w", i, err)
		}
		return nil
	})
}

// concurrently calls do for i in 0..n-1 from writers goroutines, each with
// its own random source (seeded by its number and seed, so a run is
// repeatable), and joins their errors; a writer stops at its first.
func concurrently(n, writers int, seed uint64, do func(i int, r *rand.Rand) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), seed))
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := do(i, r); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// cached returns the folder name under the system temp folder, building it
// with build first unless a complete one is there. The marker is written
// last, so an interrupted build is thrown away and done again.
func cached(tb testing.TB, name string, build func(dir string) error) string {
	tb.Helper()
	dir := filepath.Join(os.TempDir(), name)
	if _, err := os.Stat(filepath.Join(dir, "COMPLETE")); err == nil {
		return dir
	}
	if err := os.RemoveAll(dir); err != nil {
		tb.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("building %s (once; kept for later runs)", dir)
	t0 := time.Now()
	if err := build(dir); err != nil {
		tb.Fatalf("build %s: %v", dir, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "COMPLETE"), nil, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("built %s in %s", dir, time.Since(t0).Round(time.Second))
	return dir
}

// copyDir copies the regular files of src into dst (flat, as a Badger
// folder is), so each iteration drains a pristine copy of the cached store
// while the cache itself is never opened for writing.
func copyDir(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || e.Name() == "COMPLETE" {
			continue
		}
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}

// cachedLog is a depot's log as its inventory store wrote it, every event
// the exact stored bytes, served to the real publisher from memory. It is
// how 500 depots fit one box: 500 open Badger stores would cost gigabytes
// and 500 fsync loops that are the depots' cost, not HQ's. HQ checks each
// event's hash and chain as from any depot (TestCachedLogIsTheStore checks
// it serves what the store does).
type cachedLog struct {
	depot string
	raws  [][]byte
	head  inventory.Head

	mu  sync.Mutex
	ack inventory.ReplicationAck
}

var _ depot.Store = (*cachedLog)(nil)

// newCachedLog takes a depot's raw events from seq 1 and reads the head off
// the last one.
func newCachedLog(id string, raws [][]byte) (*cachedLog, error) {
	l := &cachedLog{depot: id, raws: raws}
	if len(raws) == 0 {
		return l, nil
	}
	var last inventory.Event
	if err := json.Unmarshal(raws[len(raws)-1], &last); err != nil {
		return nil, fmt.Errorf("depot %s: last event: %w", id, err)
	}
	if last.Seq != uint64(len(raws)) || last.Depot != id {
		return nil, fmt.Errorf("depot %s: the last of %d events is %s's event %d", id, len(raws), last.Depot, last.Seq)
	}
	l.head = inventory.Head{Seq: last.Seq, Epoch: last.Epoch, Hash: last.Hash, HLC: last.HLC}
	return l, nil
}

func (l *cachedLog) Depot() string        { return l.depot }
func (l *cachedLog) Head() inventory.Head { return l.head }

func (l *cachedLog) EachRawEvent(after uint64, fn func(seq uint64, raw []byte) error) error {
	for i := after; i < uint64(len(l.raws)); i++ {
		if err := fn(i+1, l.raws[i]); err != nil {
			return err
		}
	}
	return nil
}

func (l *cachedLog) ReplicationAck() (inventory.ReplicationAck, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ack, nil
}

func (l *cachedLog) SetReplicationAck(a inventory.ReplicationAck) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ack = a
	return nil
}

// rawLog reads a store's whole log.
func rawLog(st *inventory.Store) ([][]byte, error) {
	var out [][]byte
	err := st.EachRawEvent(0, func(_ uint64, raw []byte) error { out = append(out, raw); return nil })
	if err != nil {
		return nil, fmt.Errorf("read the log of %s: %w", st.Depot(), err)
	}
	return out, nil
}

// writeLogFile keeps a log as one stored event per line: stored events are
// compact JSON, which never holds a raw newline.
func writeLogFile(path string, raws [][]byte) error {
	var buf bytes.Buffer
	for _, r := range raws {
		if bytes.IndexByte(r, '\n') >= 0 {
			return fmt.Errorf("%s: an event holds a newline", path)
		}
		buf.Write(r)
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func readLogFile(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read log: %w", err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		out = append(out, bytes.Clone(sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}

// buildLog writes a depot's log of n events with a real store in a scratch
// folder and returns it.
func buildLog(id string, c catalogue, n, writers int) ([][]byte, error) {
	dir, err := os.MkdirTemp("", "replbench-build-")
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", id, err)
	}
	defer os.RemoveAll(dir)
	st, err := inventory.Open(inventory.Options{Dir: dir, Depot: id, GCInterval: -1, Log: quietLog()})
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", id, err)
	}
	if err := c.fill(st, n, writers); err != nil {
		st.Close()
		return nil, fmt.Errorf("build %s: %w", id, err)
	}
	raws, err := rawLog(st)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("build %s: %w", id, cerr)
	}
	return raws, err
}

// dirSize is the bytes of the regular files under dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// percentile of sorted durations, p in [0, 1].
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted)-1) + 0.5)
	return sorted[i]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
