package replication

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

var cmdAt = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func commandBatchOf(t testing.TB, depot string, from uint64, cmds ...inventory.Command) []byte {
	t.Helper()
	b := CommandBatch{V: Version, Depot: depot, From: from, To: from + uint64(len(cmds)) - 1}
	for i, c := range cmds {
		b.Commands = append(b.Commands, CommandEntry{Seq: from + uint64(i), Ref: "HQ-1", Actor: "anna", At: cmdAt, Command: c})
	}
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	cmdPart    = inventory.Command{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "PN", Unit: "ea"}}
	cmdRequest = inventory.Command{Type: inventory.EvTransferRequested, Ref: "HQ-1",
		Transfer: &inventory.Transfer{Number: "HQ-1", From: "D1", To: "D2", Expected: "2026-12-01",
			Lines: []inventory.TransferLine{{SKU: "PN", Qty: 3}}}}
	cmdApprove = inventory.Command{Type: inventory.EvTransferApproved, Ref: "HQ-1"}
)

// TestDecodeCommandBatch: a batch as HQ writes it decodes with every
// command intact; each way of spoiling one is rejected with ErrRejected.
func TestDecodeCommandBatch(t *testing.T) {
	good := commandBatchOf(t, "D1", 7, cmdPart, cmdRequest, cmdApprove)
	b, err := DecodeCommandBatch("D1", good)
	if err != nil {
		t.Fatal(err)
	}
	if b.From != 7 || b.To != 9 || len(b.Commands) != 3 || b.Commands[1].Command.Transfer.Lines[0].Qty != 3 ||
		b.Commands[2].Seq != 9 || b.Commands[0].Actor != "anna" || !b.Commands[0].At.Equal(cmdAt) {
		t.Fatalf("decoded %+v", b)
	}
	swap := func(old, new string) []byte {
		if !strings.Contains(string(good), old) {
			t.Fatalf("the batch holds no %s", old)
		}
		return []byte(strings.Replace(string(good), old, new, 1))
	}
	receipt := inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{{SKU: "PN", Qty: 1, To: "A"}}}
	many := make([]inventory.Command, MaxBatchCommands+1)
	for i := range many {
		many[i] = cmdApprove
	}
	for _, tc := range []struct {
		name    string
		depot   string
		payload []byte
	}{
		{"not JSON", "D1", []byte("{")},
		{"two values", "D1", append(append([]byte{}, good...), good...)},
		{"another version", "D1", swap(`"v":1`, `"v":2`)},
		{"a foreign depot's batch", "D2", good},
		{"from zero", "D1", commandBatchOf(t, "D1", 0, cmdPart)},
		{"range and commands disagree", "D1", swap(`"to":9`, `"to":10`)},
		{"a seq out of place", "D1", swap(`"seq":8`, `"seq":9`)},
		{"an unknown field", "D1", swap(`"depot":"D1"`, `"depot":"D1","extra":1`)},
		{"an actor inside the command", "D1", swap(`"command":{`, `"command":{"actor":"x",`)},
		{"an unknown field in a transfer", "D1", swap(`"number":"HQ-1"`, `"number":"HQ-1","price":3`)},
		{"a stock move from HQ", "D1", commandBatchOf(t, "D1", 1, receipt)},
		{"a dispatch from HQ", "D1", commandBatchOf(t, "D1", 1, inventory.Command{Type: inventory.EvTransferDispatched, Ref: "T"})},
		{"an unknown type", "D1", swap(`"type":"part-defined"`, `"type":"teleport"`)},
		{"no time", "D1", swap(`"at":"2026-11-24T09:00:00Z","command":{"type":"part-defined"`, `"command":{"type":"part-defined"`)},
		{"an actor with a space", "D1", swap(`"actor":"anna"`, `"actor":"an na"`)},
		{"an actor too long", "D1", swap(`"actor":"anna"`, `"actor":"`+strings.Repeat("a", MaxActorLen+1)+`"`)},
		{"too many commands", "D1", commandBatchOf(t, "D1", 1, many...)},
		{"no commands", "D1", []byte(`{"v":1,"depot":"D1","from":1,"to":0,"commands":[]}`)},
	} {
		if _, err := DecodeCommandBatch(tc.depot, tc.payload); !errors.Is(err, ErrRejected) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestDecodeCommandAck(t *testing.T) {
	a, err := DecodeCommandAck([]byte(`{"v":1,"seq":5,"results":[{"seq":3,"event":40},{"seq":5,"code":"self_approval","detail":"no"}]}`))
	if err != nil || a.Seq != 5 || len(a.Results) != 2 || a.Results[0].Event != 40 || a.Results[1].Code != "self_approval" {
		t.Fatalf("%+v %v", a, err)
	}
	for _, bad := range []string{
		`{`,
		`{"v":2,"seq":1,"results":[]}`,
		`{"v":1,"seq":1,"results":[],"x":1}`,
		`{"v":1,"seq":2,"results":[{"seq":3,"event":1}]}`,                     // beyond the ack
		`{"v":1,"seq":4,"results":[{"seq":3,"event":1},{"seq":2,"event":1}]}`, // out of order
		`{"v":1,"seq":4,"results":[{"seq":3,"event":1},{"seq":3,"event":1}]}`, // twice
		`{"v":1,"seq":4,"results":[{"seq":3}]}`,                               // neither event nor refusal
		`{"v":1,"seq":4,"results":[{"seq":3,"event":1,"code":"x"}]}`,          // both
		`{"v":1,"seq":4,"results":[{"seq":0,"event":1}]}`,
		`{"v":1,"seq":4,"results":[{"seq":3,"code":"` + strings.Repeat("c", 65) + `"}]}`,
	} {
		if _, err := DecodeCommandAck([]byte(bad)); !errors.Is(err, ErrRejected) {
			t.Errorf("ack %s: %v", bad, err)
		}
	}
}

func TestCommandActorAndKey(t *testing.T) {
	for _, tc := range []struct{ actor, want string }{{"", "hq"}, {"anna", "hq.anna"}} {
		if got := DepotActor(tc.actor); got != tc.want {
			t.Errorf("DepotActor(%q) = %q, want %q", tc.actor, got, tc.want)
		}
	}
	if got := CommandIdempotencyKey(42); got != "hq-command-42" {
		t.Errorf("key %q", got)
	}
	// The longest actor HQ may send is still a code once prefixed.
	if n := len(DepotActor(strings.Repeat("a", MaxActorLen))); n != inventory.MaxCodeLen {
		t.Errorf("prefixed actor of %d bytes", n)
	}
	for _, c := range CommandTypes {
		if !CommandAllowed(c) {
			t.Errorf("%s not allowed", c)
		}
	}
	for _, c := range []inventory.EventType{inventory.EvReceipt, inventory.EvIssue, inventory.EvTransferShipped, inventory.EvTransferDispatched, inventory.EvScrap} {
		if CommandAllowed(c) {
			t.Errorf("%s allowed", c)
		}
	}
}

// FuzzDecodeCommandBatch: whatever arrives is rejected, or is a batch of
// this depot whose commands are exactly its range, each of a type HQ may
// send, with an actor the depot can name. The seeds in testdata are
// batches as HQ encodes them.
func FuzzDecodeCommandBatch(f *testing.F) {
	f.Add(commandBatchOf(f, "D1", 1, cmdPart))
	f.Fuzz(func(t *testing.T, payload []byte) {
		b, err := DecodeCommandBatch("D1", payload)
		if err != nil {
			if !errors.Is(err, ErrRejected) {
				t.Fatalf("an error that is not a rejection: %v", err)
			}
			return
		}
		if b.Depot != "D1" || b.From == 0 || uint64(len(b.Commands)) != b.To-b.From+1 || len(b.Commands) > MaxBatchCommands {
			t.Fatalf("accepted %d..%d with %d commands", b.From, b.To, len(b.Commands))
		}
		for i, c := range b.Commands {
			if c.Seq != b.From+uint64(i) || !CommandAllowed(c.Command.Type) || ValidActor(c.Actor) != nil || len(DepotActor(c.Actor)) > inventory.MaxCodeLen {
				t.Fatalf("accepted a bad command %d: %+v", i, c)
			}
		}
	})
}

// FuzzDecodeCommandAck: whatever arrives is rejected, or an ack whose
// results rise, stay at or below its seq and each say one thing.
func FuzzDecodeCommandAck(f *testing.F) {
	f.Add([]byte(`{"v":1,"seq":5,"results":[{"seq":5,"event":9}]}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		a, err := DecodeCommandAck(payload)
		if err != nil {
			if !errors.Is(err, ErrRejected) {
				t.Fatalf("an error that is not a rejection: %v", err)
			}
			return
		}
		var last uint64
		for _, r := range a.Results {
			if r.Seq <= last || r.Seq > a.Seq || (r.Event == 0) == (r.Code == "") {
				t.Fatalf("accepted %+v", a)
			}
			last = r.Seq
		}
	})
}
