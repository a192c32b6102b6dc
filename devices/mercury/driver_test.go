package mercury

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/devicetest"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

func TestBuiltinProfileParses(t *testing.T) {
	set, err := profiles.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := set.Get("thingmagic-m6e")
	if !ok {
		t.Fatal("thingmagic-m6e is not a built-in profile")
	}
	if p.Codec != "mercury" || p.Kind != profiles.Reader || p.Framing.Header != "ff" || !p.Capabilities.Inventory {
		t.Fatalf("profile %+v", p)
	}
	if !p.VersionFits("01.03.01.47") || p.VersionFits("5.1.2") {
		t.Fatal("version rule")
	}
	if _, err := New(p); err != nil {
		t.Fatal(err)
	}
}

func testProfile() profiles.Profile {
	return profiles.Profile{
		ID: "m6e-test", Vendor: "ThingMagic", Model: "M6e", Kind: profiles.Reader, Codec: "mercury",
		Match:        profiles.Match{Version: `^01\.`},
		Reader:       &profiles.ReaderSetup{Antennas: []int{1, 2}, PowerDBm: 27, Region: "na2", ScanTimeMS: 500},
		Capabilities: profiles.Capabilities{Inventory: true, Power: true, Antennas: 4},
	}
}

func TestNewRefuses(t *testing.T) {
	cases := []struct {
		name string
		edit func(*profiles.Profile)
		want string
	}{
		{"other codec", func(p *profiles.Profile) { p.Codec = "r2000" }, "not mercury"},
		{"no reader", func(p *profiles.Profile) { p.Reader = nil }, "no reader setup"},
		{"antenna above the ports", func(p *profiles.Profile) { p.Reader.Antennas = []int{5} }, "ports 1 to 4"},
		{"antenna zero", func(p *profiles.Profile) { p.Reader.Antennas = []int{0} }, "antenna 0"},
		{"power", func(p *profiles.Profile) { p.Reader.PowerDBm = 40 }, "power"},
		{"region", func(p *profiles.Profile) { p.Reader.Region = "Mars" }, "not a Mercury region"},
		{"scan time", func(p *profiles.Profile) { p.Reader.ScanTimeMS = 70000 }, "scanTimeMs"},
		{"text init", func(p *profiles.Profile) { p.Init = []profiles.Command{{Name: "x", Text: "hello"}} }, "as hex"},
		{"bad hex init", func(p *profiles.Profile) { p.Init = []profiles.Command{{Name: "x", Hex: "9A 0"}} }, "init[0]"},
	}
	for _, c := range cases {
		p := testProfile()
		c.edit(&p)
		if _, err := New(p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// scripted is a device that answers each command frame at once with what
// its answer function gives.
type scripted struct {
	mu     sync.Mutex
	out    bytes.Buffer
	sent   [][]byte // opcode and data of each command
	answer func(op byte, data []byte) []byte
}

func (s *scripted) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(p) < 5 || p[0] != SOH || int(p[1]) != len(p)-5 || CRC(p[1:len(p)-2]) != uint16(p[len(p)-2])<<8|uint16(p[len(p)-1]) {
		return 0, errors.New("scripted: bad command frame")
	}
	s.sent = append(s.sent, append([]byte(nil), p[2:len(p)-2]...))
	s.out.Write(s.answer(p[2], p[3:len(p)-2]))
	return len(p), nil
}

func (s *scripted) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.out.Len() == 0 {
		return 0, devices.ErrTimeout
	}
	return s.out.Read(p)
}

func (s *scripted) SetReadTimeout(time.Duration) error { return nil }
func (s *scripted) Close() error                       { return nil }

func (s *scripted) ops() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []byte
	for _, c := range s.sent {
		out = append(out, c[0])
	}
	return out
}

var nanoVersion = []byte{0x14, 0x12, 0x08, 0x00, 0x30, 0x00, 0x00, 0x02, 0x20, 0x15, 0x03, 0x10, 0x01, 0x03, 0x01, 0x47, 0, 0, 0, 0x10}

func okDevice(program byte, refuse map[byte]uint16) func(byte, []byte) []byte {
	return func(op byte, data []byte) []byte {
		if code, ok := refuse[op]; ok {
			return AppendReply(nil, op, code)
		}
		switch op {
		case OpVersion:
			return AppendReply(nil, op, 0, nanoVersion...)
		case OpGetCurrentProg:
			return AppendReply(nil, op, 0, program)
		case OpBootFirmware:
			program = 0x52
		}
		return AppendReply(nil, op, 0)
	}
}

func TestConfigure(t *testing.T) {
	p := testProfile()
	p.Init = []profiles.Command{{Name: "read filter off", Hex: "9A 01 0C 00"}}
	cases := []struct {
		name    string
		program byte
		refuse  map[byte]uint16
		edit    func(*profiles.Profile)
		ops     []byte
		err     string
	}{
		{"application running", 0x52, nil, nil,
			[]byte{OpVersion, OpGetCurrentProg, OpSetTagProtocol, OpSetRegion, OpSetReadTxPower, OpSetAntennaPort, OpSetReaderConfig}, ""},
		{"bootloader running", 0x11, nil, nil,
			[]byte{OpVersion, OpGetCurrentProg, OpBootFirmware, OpVersion, OpSetTagProtocol, OpSetRegion, OpSetReadTxPower, OpSetAntennaPort, OpSetReaderConfig}, ""},
		{"firmware outside the profile", 0x52, nil, func(p *profiles.Profile) { p.Match.Version = `^02\.` },
			[]byte{OpVersion, OpGetCurrentProg}, `firmware 01.03.01.47 does not fit profile m6e-test, whose version rule is "^02\\."`},
		{"power refused", 0x52, map[byte]uint16{OpSetReadTxPower: StatusPowerTooHigh}, nil,
			[]byte{OpVersion, OpGetCurrentProg, OpSetTagProtocol, OpSetRegion, OpSetReadTxPower}, "set read power: mercury: opcode 0x92: status 0x0103 MSG_POWER_TOO_HIGH"},
		{"init refused", 0x52, map[byte]uint16{OpSetReaderConfig: StatusInvalidParameter}, nil,
			[]byte{OpVersion, OpGetCurrentProg, OpSetTagProtocol, OpSetRegion, OpSetReadTxPower, OpSetAntennaPort, OpSetReaderConfig}, `init "read filter off"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pp := p
			r := *p.Reader
			pp.Reader = &r
			if c.edit != nil {
				c.edit(&pp)
			}
			drv, err := New(pp)
			if err != nil {
				t.Fatal(err)
			}
			dev := &scripted{answer: okDevice(c.program, c.refuse)}
			info, err := drv.Configure(context.Background(), dev)
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Fatalf("err %v, want %q", err, c.err)
			}
			if !bytes.Equal(dev.ops(), c.ops) {
				t.Fatalf("sent % X, want % X", dev.ops(), c.ops)
			}
			if c.err == "" && (info.Firmware != "01.03.01.47" || info.Model != "M6e Nano") {
				t.Fatalf("info %+v", info)
			}
			if c.name == "application running" {
				want := [][]byte{{OpSetTagProtocol, 0, 5}, {OpSetRegion, 0x0D}, {OpSetReadTxPower, 0x0A, 0x8C}, {OpSetAntennaPort, 2, 1, 1, 2, 2}, {OpSetReaderConfig, 1, 0x0C, 0}}
				for i, w := range want {
					if got := dev.sent[2+i]; !bytes.Equal(got, w) {
						t.Fatalf("command %d: % X, want % X", 2+i, got, w)
					}
				}
			}
		})
	}
}

// stopper records like devicetest.Recorder and cancels Run once it has
// after rounds of tags, so a test can run the driver for an exact number of
// rounds.
type stopper struct {
	devicetest.Recorder
	cancel context.CancelFunc
	after  int
}

func (s *stopper) Tags(t []devices.Tag) {
	s.Recorder.Tags(t)
	if s.TagCalls() >= s.after {
		s.cancel()
	}
}

func TestRunRounds(t *testing.T) {
	epc := func(i byte) []byte { return []byte{0xE2, 0, 0, i} }
	// Records for flags 0x0047: read count, RSSI, antenna, protocol, then
	// the EPC field (64 bits: PC, 4-byte EPC, CRC).
	rec := func(i, rssi, ant byte) []byte {
		return []byte{1, rssi, ant<<4 | ant, ProtocolGen2, 0, 64, 0x20, 0, 0xE2, 0, 0, i, 0xAA, 0xBB}
	}
	round := 0
	dev := &scripted{}
	dev.answer = func(op byte, data []byte) []byte {
		switch op {
		case OpReadTagMultiple:
			round++
			if round == 1 {
				return AppendReply(nil, op, StatusNoTagsFound)
			}
			return AppendReply(nil, op, 0, 0, 0, 0x13, 0, 0, 0, 3)
		case OpGetTagBuffer:
			// The reader hands out its three tags in two replies.
			body := []byte{0, byte(bufferFlags), 0}
			if prev := dev.sent[len(dev.sent)-2]; prev[0] == OpReadTagMultiple {
				body = append(body, 2)
				body = append(body, rec(1, 0xC4, 1)...)
				body = append(body, rec(2, 0xC8, 2)...)
			} else {
				body = append(body, 1)
				body = append(body, rec(3, 0xB0, 3)...)
			}
			return AppendReply(nil, op, 0, body...)
		}
		return AppendReply(nil, op, 0)
	}
	drv, err := New(testProfile())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &stopper{cancel: cancel, after: 1}
	if err := drv.Run(ctx, dev, r); err != nil {
		t.Fatal(err)
	}
	want := []devices.Tag{
		{EPC: epc(1), PC: 0x2000, Antenna: 1, RSSI: -60},
		{EPC: epc(2), PC: 0x2000, Antenna: 2, RSSI: -56},
		{EPC: epc(3), PC: 0x2000, Antenna: 3, RSSI: -80},
	}
	tags := r.AllTags()
	if r.TagCalls() != 1 || len(tags) != 3 {
		t.Fatalf("%d rounds, tags %+v", r.TagCalls(), tags)
	}
	for i, w := range want {
		g := tags[i]
		if !bytes.Equal(g.EPC, w.EPC) || g.PC != w.PC || g.Antenna != w.Antenna || g.RSSI != w.RSSI {
			t.Fatalf("tag %d: %+v, want %+v", i, g, w)
		}
	}
	wantOps := []byte{OpClearTagBuffer, OpReadTagMultiple, OpClearTagBuffer, OpReadTagMultiple, OpGetTagBuffer, OpGetTagBuffer}
	if !bytes.Equal(dev.ops(), wantOps) {
		t.Fatalf("sent % X, want % X", dev.ops(), wantOps)
	}
	if len(r.BadFrames()) != 0 || r.Frames() != len(wantOps) {
		t.Fatalf("%d frames, bad %v", r.Frames(), r.BadFrames())
	}
}

func TestRunGivesUpOnRefusals(t *testing.T) {
	dev := &scripted{answer: okDevice(0x52, map[byte]uint16{OpReadTagMultiple: StatusAntennaNotConnected})}
	drv, err := New(testProfile())
	if err != nil {
		t.Fatal(err)
	}
	err = drv.Run(context.Background(), dev, &devicetest.Recorder{})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != StatusAntennaNotConnected || !strings.Contains(err.Error(), "5 rounds in a row") {
		t.Fatalf("%v", err)
	}
}

func TestRunCountsSpoiledReplies(t *testing.T) {
	calls := 0
	dev := &scripted{}
	dev.answer = func(op byte, data []byte) []byte {
		calls++
		b := AppendReply(nil, op, StatusNoTagsFound)
		if op == OpReadTagMultiple && calls < 6 {
			b[len(b)-1] ^= 0xFF // every early search reply has a bad CRC
		}
		if op == OpClearTagBuffer {
			b = AppendReply(nil, op, 0)
		}
		return b
	}
	p := testProfile()
	p.Reader.IntervalMS = 5
	drv, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	r := &devicetest.Recorder{}
	if err := drv.Run(ctx, dev, r); err != nil {
		t.Fatal(err)
	}
	if len(r.BadFrames()) == 0 || r.TagCalls() != 0 {
		t.Fatalf("bad %v, tags %v", r.BadFrames(), r.AllTags())
	}
}

// silent is a link to a device that never answers.
type silent struct{ timeout time.Duration }

func (s *silent) Write(p []byte) (int, error) { return len(p), nil }
func (s *silent) Read([]byte) (int, error) {
	time.Sleep(s.timeout)
	return 0, devices.ErrTimeout
}
func (s *silent) SetReadTimeout(d time.Duration) error { s.timeout = d; return nil }
func (s *silent) Close() error                         { return nil }

func TestSilentDevice(t *testing.T) {
	p := testProfile()
	p.Reader.ScanTimeMS = 1
	drv, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	drv.(*Driver).replyWait = 10 * time.Millisecond
	if _, err := drv.Configure(context.Background(), &silent{}); !errors.Is(err, errNoReply) || !strings.Contains(err.Error(), "after 3 tries") {
		t.Fatalf("Configure: %v", err)
	}
	err = drv.Run(context.Background(), &silent{}, &devicetest.Recorder{})
	if !errors.Is(err, errNoReply) || !strings.Contains(err.Error(), "5 rounds in a row") {
		t.Fatalf("Run: %v", err)
	}
}
