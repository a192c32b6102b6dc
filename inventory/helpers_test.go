package inventory

// Test helpers the document tests share: refusals, step tables,
// tampering and backups.

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// anyField stands for "the field is not checked" in wantRefusedOn.
const anyField = "\x00any"

// wantRefusedOn asserts that c is refused with code on field (exactly,
// unless field is anyField) and that nothing was written: the head did not
// move.
func wantRefusedOn(t testing.TB, s *Store, c Command, code Code, field string) {
	t.Helper()
	before := s.Head()
	_, err := s.Append(context.Background(), c)
	var e *Error
	if field == anyField {
		if !errors.As(err, &e) || e.Code != code {
			t.Fatalf("want %s, got %v", code, err)
		}
	} else if !errors.As(err, &e) || e.Code != code || e.Field != field {
		t.Fatalf("want %s on %q, got %v", code, field, err)
	}
	if s.Head() != before {
		t.Fatal("a refused command moved the head")
	}
}

// wantRefused asserts that c is refused with code, on whatever field, and
// that the head did not move.
func wantRefused(t testing.TB, s *Store, c Command, code Code) {
	t.Helper()
	wantRefusedOn(t, s, c, code, anyField)
}

// shapeCase is a command whose shape is wrong and the field the refusal
// must name.
type shapeCase struct {
	name  string
	c     Command
	field string
}

// wantShapesRefused runs each case as a subtest: the command is refused as
// invalid_request on its field and the head does not move.
func wantShapesRefused(t *testing.T, s *Store, cases []shapeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantRefusedOn(t, s, tc.c, CodeInvalid, tc.field) })
	}
}

// step is one command of a sequence and the code it must get ("" for
// accepted).
type step struct {
	c    Command
	want Code
}

// runSteps appends the steps in order to s: each gets the code it wants,
// and a refused one writes nothing — the head stays, and so does what
// state() reports (the documents the steps touch; nil for the head only).
func runSteps(t *testing.T, s *Store, steps []step, state func() string) {
	t.Helper()
	for i, st := range steps {
		before := s.Head()
		var was string
		if state != nil {
			was = state()
		}
		_, err := s.Append(context.Background(), st.c)
		if got := CodeOf(err); got != st.want || (err != nil && got == "") {
			t.Fatalf("step %d: want %q, got %v", i, st.want, err)
		}
		if err != nil && (s.Head() != before || (state != nil && state() != was)) {
			t.Fatalf("step %d: refused but written", i)
		}
	}
}

// wantTamperingFound asserts that Verify passes on s, applies edit, and
// asserts that Verify then reports problems, which it logs and returns.
func wantTamperingFound(t *testing.T, s *Store, edit func(t *testing.T, s *Store)) VerifyReport {
	t.Helper()
	rep, err := s.Verify(context.Background(), nil)
	if err != nil || !rep.OK {
		t.Fatalf("before: %v %v", err, rep.Problems)
	}
	edit(t, s)
	rep, err = s.Verify(context.Background(), nil)
	if err != nil || rep.OK || len(rep.Problems) == 0 {
		t.Fatalf("tampering not found: %+v %v", rep, err)
	}
	t.Log(rep.Problems)
	return rep
}

// tamperCase is one way of tampering with a store behind its back.
type tamperCase struct {
	name string
	edit func(t *testing.T, s *Store)
}

// wantTamperingsFound runs each case as a subtest on a fresh store that
// setup builds: see wantTamperingFound.
func wantTamperingsFound(t *testing.T, setup func(t *testing.T) *Store, cases []tamperCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantTamperingFound(t, setup(t), tc.edit) })
	}
}

// restoredCopy backs s up, restores the backup into a new directory and
// opens it; the copy is closed when the test ends.
func restoredCopy(t *testing.T, s *Store) *Store {
	t.Helper()
	var buf bytes.Buffer
	if _, err := s.Backup(&buf, nil); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "r")
	if _, _, err := Restore(dir, bytes.NewReader(buf.Bytes()), nil, Options{}); err != nil {
		t.Fatal(err)
	}
	r, err := Open(Options{Dir: dir, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// wantModelAnswer checks the store's answer err to a command against the
// model's want ("" for accepted): the same code, a code on every refusal,
// and a refusal leaves the head at before.
func wantModelAnswer(t *testing.T, s *Store, before Head, err error, want Code, where string) {
	t.Helper()
	if got := CodeOf(err); got != want || (err != nil && got == "") {
		t.Fatalf("%s: store says %v, model says %q", where, err, want)
	}
	if after := s.Head(); err != nil && after != before {
		t.Fatalf("%s: refused but head moved %+v -> %+v", where, before, after)
	}
}
