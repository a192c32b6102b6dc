package honeywell

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func readHex(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var h strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			h.WriteString(strings.ReplaceAll(line, " ", ""))
		}
	}
	out, err := hex.DecodeString(h.String())
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

func TestEncodeGolden(t *testing.T) {
	tests := []struct {
		file string
		cmds []Command
		st   Storage
	}{
		{"cmd-232bad9.hex", []Command{{"232", "BAD", "9"}}, Permanent},
		{"cmd-init-aim-crlf.hex", []Command{{"PRE", "CA2", ""}, {"PRE", "BK2", "995C81"}, {"SUF", "CA2", ""}, {"SUF", "BK2", "990D0A"}}, Temporary},
	}
	for _, tt := range tests {
		want := readHex(t, tt.file)
		got, err := Encode(nil, tt.cmds, tt.st)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: Encode = %q, want %q", tt.file, got, want)
		}
		cmds, st, err := ParseCommands(string(want[len(Prefix):]))
		if err != nil || st != tt.st || !slices.Equal(cmds, tt.cmds) {
			t.Errorf("%s: ParseCommands = %v, %q, %v", tt.file, cmds, st, err)
		}
	}
}

func TestParseReplyGolden(t *testing.T) {
	ack := func(tag, sub, data string) Result { return Result{Command{tag, sub, data}, ACK} }
	tests := []struct {
		file string
		want []Result
		st   Storage
	}{
		{"reply-cbrena-range.hex", []Result{ack("CBR", "ENA", "0-1")}, Permanent},
		{"reply-cbr-current.hex", []Result{ack("CBR", "ENA", "1"), ack("CBR", "SSX", "0"), ack("CBR", "CK2", "0"),
			ack("CBR", "CCT", "1"), ack("CBR", "MIN", "2"), ack("CBR", "MAX", "60"), ack("CBR", "DFT", "")}, Permanent},
		{"reply-init-aim-crlf.hex", []Result{ack("PRE", "CA2", ""), ack("PRE", "BK2", "995C81"), ack("SUF", "CA2", ""), ack("SUF", "BK2", "990D0A")}, Temporary},
		{"reply-enq-nak.hex", []Result{{Command{"BEP", "LVL", "9"}, NAK}, ack("BEP", "BEP", "1"), {Command{"XYZ", "ABC", ""}, ENQ}}, Temporary},
	}
	for _, tt := range tests {
		got, st, err := ParseReply(readHex(t, tt.file))
		if err != nil || st != tt.st || !slices.Equal(got, tt.want) {
			t.Errorf("%s: ParseReply = %v, %q, %v; want %v", tt.file, got, st, err, tt.want)
		}
	}
}

func TestCheck(t *testing.T) {
	sent := []Command{{"BEP", "LVL", "9"}, {"BEP", "BEP", "1"}, {"XYZ", "ABC", ""}}
	res, _, err := ParseReply(readHex(t, "reply-enq-nak.hex"))
	if err != nil {
		t.Fatal(err)
	}
	err = Check(sent, res)
	if !errors.Is(err, ErrOutOfRange) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("Check = %v, want both NAK and ENQ errors", err)
	}
	var ce *CommandError
	if !errors.As(err, &ce) || ce.Command.String() != "BEPLVL9" || ce.Status != NAK {
		t.Errorf("first CommandError = %+v", ce)
	}
	if !strings.Contains(err.Error(), "XYZABC") {
		t.Errorf("error %q does not name the ENQ command", err)
	}
	if err := Check(sent[:2], res); !errors.Is(err, ErrEchoMismatch) {
		t.Errorf("count mismatch: %v", err)
	}
	if err := Check([]Command{{"BEP", "LVL", "9"}, {"BEP", "XXX", "1"}, {"XYZ", "ABC", ""}}, res); !errors.Is(err, ErrEchoMismatch) {
		t.Errorf("subtag mismatch: %v", err)
	}
	ok, _, _ := ParseReply([]byte("preca2\x06!"))
	if err := Check([]Command{{"PRE", "CA2", ""}}, ok); err != nil {
		t.Errorf("lower-case echo: %v", err)
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		cmds []Command
		want string
	}{
		{[]Command{{"cbr", "ena", "*"}}, "cbrena*."},
		{[]Command{{"CBR", "?", ""}}, "CBR?."},
		{[]Command{{"?", "", ""}}, "?."},
		{[]Command{{"REV", "INF", ""}}, "REVINF."},
		{[]Command{{"BEP", "LVL", "3"}, {"bep", "BEP", "1"}, {"232", "BAD", "5"}}, "BEPLVL3,BEP1;232BAD5."},
	}
	for _, tt := range tests {
		got, err := Encode(nil, tt.cmds, Permanent)
		if err != nil || string(got) != Prefix+tt.want {
			t.Errorf("Encode(%v) = %q, %v; want %q", tt.cmds, got, err, Prefix+tt.want)
		}
	}
	bad := [][]Command{
		nil,
		{{"PR", "CA2", ""}},
		{{"PRE", "CA", ""}},
		{{"PRE", "BK2", "99,5C"}},
		{{"PRE", "BK2", "99.5C"}},
		{{"PRE", "BK2", "99\r"}},
		{{"?", "CA2", ""}},
		{{"PRE", "?", "x"}},
	}
	for _, cmds := range bad {
		if _, err := Encode(nil, cmds, Temporary); !errors.Is(err, ErrBadCommand) {
			t.Errorf("Encode(%v) = %v, want ErrBadCommand", cmds, err)
		}
	}
	if _, err := Encode(nil, []Command{{"PRE", "CA2", ""}}, 'x'); err == nil {
		t.Error("bad storage accepted")
	}
}

func TestParseCommandsRejects(t *testing.T) {
	for _, s := range []string{"", "!", "PR", "PRECA", "PRECA2,BK", "PRECA2;;SUFCA2", "PRE\x01A2"} {
		if _, _, err := ParseCommands(s); err == nil {
			t.Errorf("ParseCommands(%q) accepted", s)
		}
	}
}

func TestParseReplyRejects(t *testing.T) {
	for _, s := range []string{"", "PRECA2!", "PRECA2\x06", "PRECA2\x06,", "PRECA2\x06!x", "\x06!", "PRECA2\x06,BK2\x07!"} {
		if r, _, err := ParseReply([]byte(s)); !errors.Is(err, ErrBadReply) {
			t.Errorf("ParseReply(%q) = %v, %v; want ErrBadReply", s, r, err)
		}
	}
}

func TestReplyEnd(t *testing.T) {
	for s, want := range map[string]int{"": -1, "PRECA2\x06,": -1, "PRECA2\x06!]C0x": 8, "A.B\x15.": 5} {
		if got := ReplyEnd([]byte(s)); got != want {
			t.Errorf("ReplyEnd(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestParseRevision(t *testing.T) {
	info := ParseRevision(readHex(t, "reply-revinf.hex"))
	if info.Model != "Xenon 1900" || info.Firmware != "BF000286BAA" || info.Serial != "15232B1F0C" {
		t.Errorf("ParseRevision = %+v", info)
	}
	if info := ParseRevision([]byte("Software Revision: 1.2\r\nREVINF\x06.")); info.Firmware != "1.2" {
		t.Errorf("revision fallback: %+v", info)
	}
}
