package inventory

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"os"
	"sync"
	"testing"
)

// FuzzBackupReader feeds arbitrary bytes to the backup header and frame
// reader: it must never panic, and whatever it lets through must be exactly
// the bytes whose checksum the file carries.
func FuzzBackupReader(f *testing.F) {
	s := seeded(f)
	mustAppend(f, s, cmd(EvReceipt, "PO-1", Line{SKU: "PN", Qty: 3, To: "A"}))
	var buf bytes.Buffer
	if _, err := s.Backup(&buf, nil); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(backupMagic + "{}\n\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReader(bytes.NewReader(data))
		if _, err := ReadBackupHeader(br); err != nil {
			if CodeOf(err) != CodeInvalid {
				t.Fatalf("header error without a code: %v", err)
			}
			return
		}
		fr := &frameReader{r: br, sum: sha256.New()}
		out, err := io.ReadAll(fr)
		if err != nil {
			if CodeOf(err) != CodeInvalid {
				t.Fatalf("frame error without a code: %v", err)
			}
			return
		}
		if !fr.done {
			t.Fatal("EOF before the end frame")
		}
		// Accepted: what the reader handed out, hashed here on its own, must
		// be what the file's trailer vouches for, and the trailer must be where
		// the reader stopped.
		rest, _ := io.ReadAll(br)
		end := len(data) - len(rest)
		sum := sha256.Sum256(out)
		if end < sha256.Size || !bytes.Equal(data[end-sha256.Size:end], sum[:]) {
			t.Fatalf("accepted %d bytes that do not hash to the trailer", len(out))
		}
	})
}

var fuzzStore struct {
	once sync.Once
	s    *Store
	err  error
}

// FuzzCommand decodes arbitrary JSON as a command body (what the API hands
// the store) and appends it: a refusal must leave the log untouched, and an
// accepted command must leave a log that verifies.
func FuzzCommand(f *testing.F) {
	for _, seed := range []string{
		`{"type":"receipt","ref":"PO-1","lines":[{"sku":"PN","qty":5,"to":"A"}]}`,
		`{"type":"issue","ref":"WO-1","lines":[{"sku":"PN","qty":1,"from":"A"}]}`,
		`{"type":"receipt","lines":[{"sku":"PL","qty":2,"to":"A","lot":"L1","expiry":"2027-02-28"}]}`,
		`{"type":"receipt","lines":[{"sku":"PS","qty":2,"to":"Q","serials":["A1","A2"]}]}`,
		`{"type":"move","lines":[{"sku":"PS","qty":1,"from":"Q","to":"A","serials":["A1"]}]}`,
		`{"type":"count-adjustment","ref":"C-1","lines":[{"sku":"PN","qty":-1,"location":"A"}]}`,
		`{"type":"return","ref":"WO-1","lines":[{"sku":"PN","qty":1,"to":"DEF","condition":"defective"}]}`,
		`{"type":"part-defined","part":{"sku":"NEW","gtins":["4006381333931"],"tracking":"lot"}}`,
		`{"type":"location-defined","location":{"code":"Z-9","kind":"van"}}`,
		`{"type":"transfer-shipped","ref":"T-1","lines":[{"sku":"PN","qty":1,"from":"A","to":"TR","fromReserved":true}]}`,
		`{"type":"po-created","ref":"PO-9","order":{"number":"PO-9","supplier":"ACME","expected":"2026-04-01","tolerancePct":10,"lines":[{"line":1,"sku":"PN","qty":4},{"line":2,"sku":"PL","qty":2,"lot":"L1"}]}}`,
		`{"type":"receipt","ref":"PO-F","lines":[{"sku":"PN","qty":2,"to":"Q"},{"sku":"PL","qty":1,"to":"Q","lot":"L1","expiry":"2030-01-01"}]}`,
		`{"type":"po-closed","ref":"PO-F","note":"supplier short-shipped"}`,
		`{"type":"reorder-policy-set","policy":{"sku":"PN","method":"rop","rop":"derived","leadTimeDays":14,"serviceLevel":0.95,"forecast":"tsb"}}`,
		`{"type":"reorder-signal","ref":"PN","signal":{"sku":"PN","method":"rop","position":{"available":1,"onOrder":0,"inbound":0,"total":1},"reorderPoint":2,"orderUpTo":5,"suggestedQty":4,"armedSeq":9}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzStore.once.Do(func() {
			dir, err := os.MkdirTemp("", "partsedge-fuzz")
			if err != nil {
				fuzzStore.err = err
				return
			}
			fuzzStore.s, fuzzStore.err = Open(Options{Dir: dir, Depot: "FUZZ", GCInterval: -1})
			if fuzzStore.err == nil {
				for _, c := range seedCommands() {
					if _, err := fuzzStore.s.Append(context.Background(), c); err != nil {
						fuzzStore.err = err
					}
				}
			}
		})
		if fuzzStore.err != nil {
			t.Fatal(fuzzStore.err)
		}
		s := fuzzStore.s
		var c Command
		if err := json.Unmarshal(body, &c); err != nil {
			return
		}
		c.Actor = "fuzz"
		before := s.Head()
		_, err := s.Append(context.Background(), c)
		if err != nil {
			if CodeOf(err) == "" {
				t.Fatalf("refusal without a code: %v", err)
			}
			if s.Head() != before {
				t.Fatal("a refused command moved the head")
			}
			return
		}
		if s.Head().Seq != before.Seq+1 {
			t.Fatalf("accepted but head %d -> %d", before.Seq, s.Head().Seq)
		}
		if s.Head().Seq%64 == 0 {
			rep, err := s.Verify(context.Background(), nil)
			if err != nil || !rep.OK {
				t.Fatalf("verify: %v %v", err, rep.Problems)
			}
		}
	})
}

func seedCommands() []Command {
	var out []Command
	for _, p := range []Part{{SKU: "PN"}, {SKU: "PL", Tracking: TrackLot}, {SKU: "PS", Tracking: TrackSerial}} {
		out = append(out, Command{Type: EvPartDefined, Actor: "fuzz", Part: &p})
	}
	for _, l := range []Location{{Code: "A"}, {Code: "Q", Kind: KindQuarantine}, {Code: "DEF", Kind: KindDefective}, {Code: "TR", Kind: KindTransit}} {
		out = append(out, Command{Type: EvLocationDefined, Actor: "fuzz", Location: &l})
	}
	// An open order, so fuzzed receipts naming PO-F meet the order's rules.
	out = append(out, Command{Type: EvPOCreated, Actor: "fuzz", Ref: "PO-F", Order: &PurchaseOrder{Number: "PO-F", Supplier: "ACME",
		TolerancePct: 20, Lines: []POLine{{Line: 1, SKU: "PN", Qty: 5}, {Line: 2, SKU: "PL", Qty: 3, Lot: "L1"}, {Line: 3, SKU: "PS", Qty: 2}}}})
	return out
}
