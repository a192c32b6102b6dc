package inventory

import (
	"fmt"
	"testing"
)

// TestCommandCursor: the cursor survives a reopen with its outcomes, keeps
// only the most recent MaxCommandOutcomes, never moves back, and is
// outside the log (Verify and the head do not see it).
func TestCommandCursor(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir, Depot: "D1", GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if seq, err := s.CommandCursor(); err != nil || seq != 0 {
		t.Fatalf("fresh cursor %d %v", seq, err)
	}
	head := s.Head()
	if err := s.SetCommandCursor(1, CommandOutcome{Seq: 1, Event: 7}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCommandCursor(2, CommandOutcome{Seq: 2, Code: CodeSelfApproval, Detail: "no"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCommandCursor(1); err == nil {
		t.Fatal("the cursor moved back")
	}
	if s.Head() != head {
		t.Fatalf("the cursor wrote to the log: %+v", s.Head())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(Options{Dir: dir, Depot: "D1", GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	seq, err := s.CommandCursor()
	recent, err2 := s.RecentCommandOutcomes()
	if err != nil || err2 != nil || seq != 2 || fmt.Sprint(recent) != "[{1 7  } {2 0 self_approval no}]" {
		t.Fatalf("after reopen: %d %v %v %v", seq, recent, err, err2)
	}
	for i := uint64(3); i < 3+MaxCommandOutcomes; i++ {
		if err := s.SetCommandCursor(i, CommandOutcome{Seq: i, Event: i}); err != nil {
			t.Fatal(err)
		}
	}
	recent, _ = s.RecentCommandOutcomes()
	if len(recent) != MaxCommandOutcomes || recent[0].Seq != 3 || recent[len(recent)-1].Seq != 2+MaxCommandOutcomes {
		t.Fatalf("%d outcomes from %d to %d", len(recent), recent[0].Seq, recent[len(recent)-1].Seq)
	}
	mustVerify(t, s)
}
