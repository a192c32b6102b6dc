package inventory

import (
	"testing"
	"time"
)

// TestNoticeLog: a raise is written once while its key stays open, a clear
// closes it, and a raise of the same key after that is a new notice with a
// new id. Everything, cursors included, survives a reopen.
func TestNoticeLog(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	s, err := Open(Options{Dir: dir, Depot: "D1", GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	n := Notice{Key: "reorder-point/7/PN/", Kind: ReminderReorderPoint, Ref: "7", SKU: "PN", Qty: 5, Text: "t", Message: "m", RaisedAt: at}
	steps := []struct {
		name  string
		ch    NoticeChanges
		wrote []string // id:state
		open  int
	}{
		{"raise", NoticeChanges{Raise: []Notice{n}, EventCursor: 10, SetEventCursor: true}, []string{"reorder-point/7/PN/#1:raised"}, 1},
		{"raise again", NoticeChanges{Raise: []Notice{n}}, nil, 1},
		{"clear an unknown key", NoticeChanges{Clear: []string{"nope"}, ClearedAt: at}, nil, 1},
		{"announce", NoticeChanges{Raise: []Notice{{Key: "po-received/PO-1/PN//12", Once: true, RaisedAt: at}}}, []string{"po-received/PO-1/PN//12#2:raised"}, 1},
		{"clear", NoticeChanges{Clear: []string{n.Key}, ClearedAt: at.Add(time.Hour)}, []string{"reorder-point/7/PN/#1:cleared"}, 0},
		{"back again", NoticeChanges{Raise: []Notice{n}, EventCursor: 12, SetEventCursor: true}, []string{"reorder-point/7/PN/#4:raised"}, 1},
	}
	for _, st := range steps {
		got, err := s.RecordNotices(st.ch)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if len(got) != len(st.wrote) {
			t.Fatalf("%s: wrote %+v, want %v", st.name, got, st.wrote)
		}
		for i, w := range st.wrote {
			if g := got[i].ID + ":" + string(got[i].State); g != w || got[i].Depot != "D1" {
				t.Errorf("%s: wrote %s (depot %q), want %s", st.name, g, got[i].Depot, w)
			}
		}
		open, err := s.OpenNotices()
		if err != nil || len(open) != st.open {
			t.Fatalf("%s: open %+v, %v", st.name, open, err)
		}
	}
	if err := s.SetNoticeCursor("hook", 3); err != nil {
		t.Fatal(err)
	}
	if err := s.SetNoticeCursor("hook", 2); err != nil { // never back
		t.Fatal(err)
	}
	if err := s.SetNoticeCursor(noticeEventsCursor, 1); err == nil {
		t.Fatal("the events cursor is RecordNotices' own")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(Options{Dir: dir, Depot: "D1", GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if h, err := s.NoticeHead(); err != nil || h != 4 {
		t.Fatalf("head %d, %v", h, err)
	}
	if c, ok, err := s.NoticeCursor("hook"); err != nil || !ok || c != 3 {
		t.Fatalf("hook cursor %d %v %v", c, ok, err)
	}
	if _, ok, err := s.NoticeCursor("other"); err != nil || ok {
		t.Fatalf("unset cursor: ok %v, %v", ok, err)
	}
	if c, ok, err := s.NoticeEventCursor(); err != nil || !ok || c != 12 {
		t.Fatalf("event cursor %d %v %v", c, ok, err)
	}
	log, err := s.NoticeLog(1, 2)
	if err != nil || len(log) != 2 || log[0].Seq != 2 || log[1].Seq != 3 {
		t.Fatalf("log after 1: %+v, %v", log, err)
	}
	if log[1].ClearedAt == nil || !log[1].ClearedAt.Equal(at.Add(time.Hour)) || !log[1].RaisedAt.Equal(at) {
		t.Errorf("cleared record %+v", log[1])
	}
	recent, err := s.RecentNotices(2, 10)
	if err != nil || len(recent) != 2 || recent[0].Seq != 4 || recent[1].Seq != 3 {
		t.Fatalf("recent after 2: %+v, %v", recent, err)
	}
}
