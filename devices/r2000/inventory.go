package r2000

import (
	"encoding/binary"
	"fmt"
)

// RSSIdBm converts a tag report's RSSI byte to dBm by the manual's RSSI
// parameter table: 98 is -31 dBm and each step down is 1 dB down to 90
// (-39 dBm); the table then skips -40 dBm, so 89 is -41 dBm, on down to
// 31 (-99 dBm). Bit 7 is not part of the value (eight-port readers put the
// antenna group there) and is ignored.
func RSSIdBm(raw byte) float64 {
	v := int(raw & 0x7F)
	if v >= 90 {
		return float64(v - 129)
	}
	return float64(v - 130)
}

// TagAntenna returns the 1-based antenna of a tag report: the low two bits
// of FreqAnt, plus four when bit 7 of the RSSI byte is set (ports 5-8 of an
// eight-port reader).
func TagAntenna(freqAnt, rssi byte) int {
	a := int(freqAnt&0x03) + 1
	if rssi&0x80 != 0 {
		a += 4
	}
	return a
}

// FrequencyMHz returns the carrier of a frequency index by the manual's
// frequency parameter table.
func FrequencyMHz(index byte) (float64, bool) {
	switch {
	case index <= 0x06:
		return 865 + 0.5*float64(index), true
	case index <= 0x3B:
		return 902 + 0.5*float64(index-0x07), true
	}
	return 0, false
}

// TagReport is one tag from an inventory command. EPC aliases the packet.
type TagReport struct {
	Antenna   int // 1-based
	FreqIndex byte
	PC        uint16
	EPC       []byte
	RSSIRaw   byte
	RSSI      float64 // dBm
}

// InventoryKind says what an inventory packet carries.
type InventoryKind uint8

const (
	// InvTag is a tag report.
	InvTag InventoryKind = iota + 1
	// InvRoundEnd closes a command: cmd_real_time_inventory's AntID,
	// ReadRate and TotalRead, or cmd_fast_switch_ant_inventory's TotalRead
	// and CommandDuration.
	InvRoundEnd
	// InvError is the reader's error code, for the whole command or (fast
	// switch) for one antenna.
	InvError
)

// InventoryMsg is one decoded inventory packet. Only the fields of its Kind
// are set.
type InventoryMsg struct {
	Kind InventoryKind
	Tag  TagReport
	// Round end. Antenna is the round's antenna for cmd_real_time_inventory
	// and 0 for cmd_fast_switch_ant_inventory; Duration (ms) is fast
	// switch's CommandDuration.
	Antenna   int
	ReadRate  uint16
	TotalRead uint32
	Duration  uint32
	Err       ReaderError
}

// ParseInventory decodes a packet answering cmd_real_time_inventory (0x89)
// or cmd_fast_switch_ant_inventory (0x8A). The data length tells the kinds
// apart: one byte is an error code, an AntID/ErrorCode pair is fast switch's
// missing antenna, seven bytes end the command, and FreqAnt PC EPC RSSI (an
// even number of EPC bytes, as EPCs are whole words) is a tag.
func ParseInventory(p Packet, m *InventoryMsg) error {
	d := p.Data
	switch p.Cmd {
	case CmdRealTimeInventory, CmdFastSwitchAntInventory:
	default:
		return fmt.Errorf("r2000: command 0x%02X is not an inventory command", p.Cmd)
	}
	switch {
	case len(d) == 1:
		*m = InventoryMsg{Kind: InvError, Err: ReaderError{Cmd: p.Cmd, Code: ErrorCode(d[0])}}
		return nil
	case len(d) == 2 && p.Cmd == CmdFastSwitchAntInventory:
		*m = InventoryMsg{Kind: InvError, Err: ReaderError{Cmd: p.Cmd, Code: ErrorCode(d[1]), Antenna: int(d[0]) + 1}}
		return nil
	case len(d) == 7 && p.Cmd == CmdRealTimeInventory:
		*m = InventoryMsg{Kind: InvRoundEnd, Antenna: int(d[0]) + 1,
			ReadRate: binary.BigEndian.Uint16(d[1:3]), TotalRead: binary.BigEndian.Uint32(d[3:7])}
		return nil
	case len(d) == 7:
		*m = InventoryMsg{Kind: InvRoundEnd,
			TotalRead: uint32(d[0])<<16 | uint32(d[1])<<8 | uint32(d[2]), Duration: binary.BigEndian.Uint32(d[3:7])}
		return nil
	case len(d) >= 4 && len(d)%2 == 0:
		if err := checkPC(d[1:3], len(d)-4); err != nil {
			return err
		}
		rssi := d[len(d)-1]
		*m = InventoryMsg{Kind: InvTag, Tag: TagReport{
			Antenna:   TagAntenna(d[0], rssi),
			FreqIndex: d[0] >> 2,
			PC:        binary.BigEndian.Uint16(d[1:3]),
			EPC:       d[3 : len(d)-1],
			RSSIRaw:   rssi,
			RSSI:      RSSIdBm(rssi),
		}}
		return nil
	}
	return fmt.Errorf("r2000: inventory packet 0x%02X with %d data bytes fits no layout", p.Cmd, len(d))
}

// BufferTag is one tag from cmd_get_inventory_buffer (0x90) or
// cmd_get_and_reset_inventory_buffer (0x91). EPC aliases the packet.
type BufferTag struct {
	TagCount uint16 // tags in the buffer
	TagReport
	CRC      uint16
	InvCount byte // times the tag was read
}

// ParseBufferTag decodes one packet of a buffer read: TagCount(2)
// DataLen(1) PC(2) EPC CRC(2) RSSI FreqAnt InvCount. A one-byte answer is
// the reader's error (buffer_is_empty_error when nothing was read) and is
// returned as a *ReaderError.
func ParseBufferTag(p Packet, t *BufferTag) error {
	d := p.Data
	if p.Cmd != CmdGetInventoryBuffer && p.Cmd != CmdGetAndResetBuffer {
		return fmt.Errorf("r2000: command 0x%02X is not a buffer read", p.Cmd)
	}
	if len(d) == 1 {
		return &ReaderError{Cmd: p.Cmd, Code: ErrorCode(d[0])}
	}
	if len(d) < 3 {
		return fmt.Errorf("r2000: buffer packet with %d data bytes is too short", len(d))
	}
	n := int(d[2])
	if n < 4 || n%2 != 0 || len(d) != 3+n+3 {
		return fmt.Errorf("r2000: buffer packet DataLen %d does not fit its %d data bytes", n, len(d))
	}
	data := d[3 : 3+n]
	if err := checkPC(data[0:2], n-4); err != nil {
		return err
	}
	rssi, freqAnt := d[3+n], d[4+n]
	*t = BufferTag{
		TagCount: binary.BigEndian.Uint16(d[0:2]),
		TagReport: TagReport{
			Antenna:   TagAntenna(freqAnt, rssi),
			FreqIndex: freqAnt >> 2,
			PC:        binary.BigEndian.Uint16(data[0:2]),
			EPC:       data[2 : n-2],
			RSSIRaw:   rssi,
			RSSI:      RSSIdBm(rssi),
		},
		CRC:      binary.BigEndian.Uint16(data[n-2:]),
		InvCount: d[5+n],
	}
	return nil
}

// checkPC refuses a tag whose PC word gives an EPC length (bits 15-11, in
// words) other than the EPC bytes carried. A PC with no length is let
// through: some readers and emulators leave the PC out (zero). The check
// catches the rare garbled packet whose 8-bit Check still comes out right.
func checkPC(pc []byte, epcBytes int) error {
	words := int(pc[0] >> 3)
	if words != 0 && words*2 != epcBytes {
		return fmt.Errorf("r2000: PC says %d EPC words, the packet carries %d bytes", words, epcBytes)
	}
	return nil
}
