package replbench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/hq"
)

// smallLog is a real store with a short log, closed, and its raw events.
func smallLog(t *testing.T, id string) (dir string, raws [][]byte, head inventory.Head) {
	t.Helper()
	dir = t.TempDir()
	st := openStore(t, dir, id)
	if err := (catalogue{bins: 2, parts: 5}).fill(st, 60, 4); err != nil {
		t.Fatal(err)
	}
	raws, err := rawLog(st)
	if err != nil {
		t.Fatal(err)
	}
	head = st.Head()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, raws, head
}

// The 500-depot benchmark serves cached logs to the publisher: they must
// be exactly what the store serves, through the file they are kept in.
func TestCachedLogIsTheStore(t *testing.T) {
	_, raws, head := smallLog(t, "CACHE-1")
	if len(raws) != 60 || head.Seq != 60 {
		t.Fatalf("built %d events, head %d; want 60", len(raws), head.Seq)
	}
	path := filepath.Join(t.TempDir(), "CACHE-1.log")
	if err := writeLogFile(path, raws); err != nil {
		t.Fatal(err)
	}
	kept, err := readLogFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := newCachedLog("CACHE-1", kept)
	if err != nil {
		t.Fatal(err)
	}
	if l.Head() != head {
		t.Fatalf("cached head %+v, store head %+v", l.Head(), head)
	}
	prev := ""
	for i, raw := range kept {
		ev, err := inventory.CheckStoredEvent(raw)
		if err != nil {
			t.Fatalf("event %d as kept: %v", i+1, err)
		}
		if ev.Seq != uint64(i+1) || ev.PrevHash != prev {
			t.Fatalf("event %d as kept: seq %d, chained to %q, want %q", i+1, ev.Seq, ev.PrevHash, prev)
		}
		prev = ev.Hash
	}
	for _, after := range []uint64{0, 1, 59, 60} {
		var got [][]byte
		if err := l.EachRawEvent(after, func(seq uint64, raw []byte) error {
			if seq != after+uint64(len(got))+1 {
				t.Fatalf("after %d: seq %d at position %d", after, seq, len(got))
			}
			got = append(got, raw)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		want := raws[after:]
		if len(got) != len(want) {
			t.Fatalf("after %d: %d events, the store has %d", after, len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("after %d: event %d differs from the store's", after, after+uint64(i)+1)
			}
		}
	}
	// The publisher stops a read early with its own error; it must come back.
	stop := errors.New("batch full")
	if err := l.EachRawEvent(0, func(uint64, []byte) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("a stop from fn came back as %v", err)
	}
}

func TestNewCachedLogRefusesAForeignLog(t *testing.T) {
	_, raws, _ := smallLog(t, "CACHE-2")
	for _, tc := range []struct {
		name string
		id   string
		raws [][]byte
	}{
		{"another depot's log", "CACHE-3", raws},
		{"a log missing its start", "CACHE-2", raws[1:]},
		{"an undecodable last event", "CACHE-2", append(raws[:len(raws)-1:len(raws)-1], []byte("{"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := newCachedLog(tc.id, tc.raws); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// The backlog benchmark drains copies of its cached store.
func TestCopyDirKeepsTheStore(t *testing.T) {
	dir, _, head := smallLog(t, "COPY-1")
	dst := t.TempDir()
	if err := copyDir(dir, dst); err != nil {
		t.Fatal(err)
	}
	st := openStore(t, dst, "COPY-1")
	if st.Head() != head {
		t.Fatalf("the copy's head is %+v, the original's %+v", st.Head(), head)
	}
	rep, err := st.Verify(t.Context(), nil)
	if err != nil || rep.ProblemCount > 0 {
		t.Fatalf("the copy does not verify: %v %v", err, rep.Problems)
	}
}

// failRecorder stands in for the benchmark's testing.TB to see a guard
// fail: Fatalf records and ends the goroutine, as testing's does.
type failRecorder struct {
	testing.TB
	msg string
}

func (f *failRecorder) Helper() {}

func (f *failRecorder) Fatalf(format string, a ...any) {
	f.msg = fmt.Sprintf(format, a...)
	runtime.Goexit()
}

// failure runs fn on a recorder in a goroutine of its own and returns what
// it failed with ("" when it passed).
func failure(t *testing.T, fn func(tb testing.TB)) string {
	rec := &failRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(rec)
	}()
	<-done
	return rec.msg
}

// The benchmarks' end check must fail when HQ lacks events or holds other
// ones: a benchmark that cannot fail on lost events measures nothing.
func TestCheckFailsOnLostEvents(t *testing.T) {
	_, raws, head := smallLog(t, "CHECK-1")
	_, otherRaws, _ := smallLog(t, "CHECK-1") // same depot id, other events
	h, err := hq.Open(hq.Options{Dir: t.TempDir(), Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	in := &ingest{h: h, dir: t.TempDir()}
	t.Cleanup(in.close)
	apply := func(from, to int) {
		b := replication.Batch{V: replication.Version, Depot: "CHECK-1", Epoch: head.Epoch, From: uint64(from), To: uint64(to)}
		for _, r := range raws[from-1 : to] {
			b.Events = append(b.Events, r)
		}
		payload, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		if out := h.HandleEvents("CHECK-1", payload); out.Kind != hq.Applied {
			t.Fatalf("batch %d..%d: %+v", from, to, out)
		}
	}
	apply(1, 30)
	other, err := newCachedLog("CHECK-1", otherRaws[:30])
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		id   string
		head inventory.Head
		want string
	}{
		{"HQ is behind the head", "CHECK-1", head, "HWM"},
		{"the same seq, another event", "CHECK-1", other.Head(), "HWM"},
		{"a depot HQ never heard of", "CHECK-2", head, "never heard"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := failure(t, func(tb testing.TB) { in.check(tb, tc.id, tc.head) })
			if !strings.Contains(msg, tc.want) {
				t.Fatalf("check said %q, want a failure about %q", msg, tc.want)
			}
		})
	}
	apply(31, 60)
	if msg := failure(t, func(tb testing.TB) { in.check(tb, "CHECK-1", head) }); msg != "" {
		t.Fatalf("HQ holds the whole log, yet check failed: %s", msg)
	}
}

// The benchmarks take the broker's limits from the shipped config.
func TestShippedSettings(t *testing.T) {
	for _, key := range []string{"max_queued_messages", "max_inflight_messages"} {
		if n := shippedSetting(t, key); n <= 0 {
			t.Fatalf("%s = %d", key, n)
		}
	}
	if msg := failure(t, func(tb testing.TB) { shippedSetting(tb, "no_such_setting") }); msg == "" {
		t.Fatal("a setting the file lacks was found")
	}
}
