package replbench

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/partsedge/partsedge/inventory"
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
