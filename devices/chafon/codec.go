// Package chafon speaks the serial protocol of Chafon's UHF readers: the
// UHFReader18 command set of the CF-RU5102 desktop reader, and the later
// UR-series firmware that adds antenna ports and RSSI to tag reports.
//
// Sources (the layouts below are written from these, not from other code):
//   - "UHF RFID Reader UHFReader18 User's Manual V2.0" (same text published
//     as the ZK-RFID102 User's Manual V2.0): §3 data block format, §5 list
//     of command execution result status, §8.1 command overview, §8.2.1
//     Inventory, §8.4.1 Get Reader Information, §8.4.2 Set Region, §8.4.3
//     Set Address, §8.4.4 Set Scan Time, §8.4.5 Set Baud Rate, §8.4.6 Set
//     Power, §8.4.7 Acousto-optic Control.
//   - "UHF RFID Reader UR-SERIES User Manual v1.14": §8.2.1 Inventory (the
//     QValue/Session/Mask/Target/Ant/Scantime parameters and the Ant, Num,
//     EPC ID reply with a trailing RSSI byte per tag), §8.4.2 frequency
//     bands, §8.4.3 modify reader address, §8.4.4 inventory time.
//
// Host to reader: Len Adr Cmd Data[] CRC-LSB CRC-MSB, where Len counts the
// bytes after itself (so Len = len(Data)+4, 4..96). Reader to host: Len Adr
// reCmd Status Data[] CRC-LSB CRC-MSB (Len = len(Data)+5). The CRC is the
// manual's CRC-16: polynomial 0x8408 (0x1021 reflected), preset 0xFFFF, no
// final XOR, over Len up to the last data byte (CRC-16/MCRF4XX).
//
// The codec functions here do no I/O; the Driver in driver.go uses them
// over a devices.Link.
package chafon

import (
	"errors"
	"fmt"
	"github.com/partsedge/partsedge/devices"
)

// Command codes (UHFReader18 manual §4 and §8).
const (
	CmdInventory            byte = 0x01 // EPC C1G2 inventory (§8.2.1)
	CmdGetReaderInfo        byte = 0x21 // §8.4.1
	CmdSetRegion            byte = 0x22 // §8.4.2: MaxFre, MinFre
	CmdSetAddress           byte = 0x24 // §8.4.3
	CmdSetScanTime          byte = 0x25 // §8.4.4: ×100 ms
	CmdSetBaudRate          byte = 0x28 // §8.4.5
	CmdSetPower             byte = 0x2F // §8.4.6: 0..30 dBm
	CmdAcoustoOptic         byte = 0x33 // §8.4.7: ActiveT, SilentT, Times (LED and buzzer)
	CmdUnrecognised         byte = 0x00 // the reCmd of a reply to a command the reader did not recognise
	BroadcastAddress        byte = 0xFF // every reader answers it (§3.1)
	DefaultAddress          byte = 0x00 // the factory address (§3.1)
	maxCommandLen                = 96   // §3.1: Len is 4..96
	minCommandLen                = 4
	minReplyLen                  = 5 // Len of a reply with no data
	MaxFrame                     = 256
	maxCommandData               = maxCommandLen - minCommandLen
	inventoryDataMaxV2           = 255 - minReplyLen
	urAntennaBase                = 0x80 // UR §8.2.1 Ant parameter: 0x80 antenna 1 .. 0x87 antenna 8
	urMaxAntennas                = 8
	fastIDFlag                   = 0x80 // UR §8.2.1: bit 7 of the EPC ID length: EPC plus 12 bytes of TID
	fastIDTIDLen                 = 12
	lenMask                      = 0x7F
	scanTimeUnitMS               = 100
	defaultScanTime              = 0x0A // §8.4.4: 10 × 100 ms
	minScanTime                  = 0x03
	maxPowerDBm                  = 30
	defaultInventoryQ            = 4
	defaultInventorySession      = 0
)

// Variant names the firmware family's inventory reply layout; a profile
// selects it with its variant key.
type Variant string

const (
	// V2 is the UHFReader18 / CF-RU5102 firmware of the User's Manual V2.0
	// (version 2.x from Get Reader Information). Inventory takes no
	// parameters (or AdrTID, LenTID) and its reply data is
	// Num, then per tag: EPC length (bytes), EPC. No antenna, no RSSI.
	V2 Variant = "v2"
	// UR is the later UR-series firmware of the UR-SERIES User Manual
	// v1.14. Inventory takes QValue, Session, MaskMem, MaskAdr(2), MaskLen,
	// MaskData, [AdrTID, LenTID], Target, Ant, Scantime, and its reply
	// data is Ant (a one-bit mask of the antenna), Num, then per tag:
	// length (bytes; bit 7 set when 12 bytes of TID follow the EPC), EPC,
	// RSSI.
	UR Variant = "ur"
)

// ParseVariant maps a profile's variant key to a Variant; empty means V2,
// the firmware the CF-RU5102 ships with.
func ParseVariant(s string) (Variant, error) {
	switch Variant(s) {
	case "", V2:
		return V2, nil
	case UR:
		return UR, nil
	}
	return "", fmt.Errorf("chafon: variant %q: want %q (UHFReader18 manual V2.0) or %q (UR-series manual v1.14)", s, V2, UR)
}

// Errors for frames that are not well formed.
var (
	ErrShort    = errors.New("chafon: frame shorter than its length byte says")
	ErrLength   = errors.New("chafon: length byte out of range")
	ErrCRC      = fmt.Errorf("chafon: CRC mismatch: %w", devices.ErrChecksum)
	ErrData     = errors.New("chafon: reply data does not fit its layout")
	ErrTooLong  = errors.New("chafon: command data longer than 92 bytes")
	ErrTrailing = errors.New("chafon: bytes left over after the last tag")
)

var crcTable = makeCRCTable()

func makeCRCTable() [256]uint16 {
	var t [256]uint16
	for i := range t {
		c := uint16(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0x8408
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return t
}

// CRC16 is the manual's checksum (CRC-16/MCRF4XX): CRC16("123456789") is
// 0x6F91.
func CRC16(b []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, c := range b {
		crc = crc>>8 ^ crcTable[byte(crc)^c]
	}
	return crc
}

// AppendCommand appends the host-to-reader frame for cmd with data to dst.
func AppendCommand(dst []byte, addr, cmd byte, data []byte) ([]byte, error) {
	if len(data) > maxCommandData {
		return dst, fmt.Errorf("%w: %d", ErrTooLong, len(data))
	}
	start := len(dst)
	dst = append(dst, byte(len(data)+minCommandLen), addr, cmd)
	dst = append(dst, data...)
	crc := CRC16(dst[start:])
	return append(dst, byte(crc), byte(crc>>8)), nil
}

// Reply is one reader-to-host frame. Data aliases the frame it was parsed
// from.
type Reply struct {
	Addr   byte
	Cmd    byte
	Status Status
	Data   []byte
}

// ParseReply checks one complete reply frame (length and CRC) and splits
// it into its fields.
func ParseReply(frame []byte) (Reply, error) {
	if len(frame) < minReplyLen+1 {
		return Reply{}, ErrShort
	}
	n := int(frame[0])
	if n < minReplyLen {
		return Reply{}, fmt.Errorf("%w: %d", ErrLength, n)
	}
	if len(frame) != n+1 {
		return Reply{}, fmt.Errorf("%w: length byte %d, %d bytes", ErrShort, n, len(frame))
	}
	if got, want := uint16(frame[n-1])|uint16(frame[n])<<8, CRC16(frame[:n-1]); got != want {
		return Reply{}, fmt.Errorf("%w: frame has %04x, computed %04x", ErrCRC, got, want)
	}
	return Reply{Addr: frame[1], Cmd: frame[2], Status: Status(frame[3]), Data: frame[4 : n-1]}, nil
}

// NextFrame finds the first well-formed reply frame in a byte stream. The
// protocol has no start byte, so a frame is recognised by a plausible
// length byte followed by that many bytes ending in a matching CRC.
//
// It returns the frame (a slice of buf) and skip, the count of bytes before
// it that belong to no frame, with why saying what was wrong with the first
// of them. When frame is nil, the caller drops skip bytes and waits for
// more: buf[skip:] may be the start of a frame still arriving. With flush
// set (the line went quiet, so nothing more is coming for it), a candidate
// that would need more bytes is garbage too and skipped.
func NextFrame(buf []byte, flush bool) (frame []byte, skip int, why error) {
	for i := 0; i < len(buf); i++ {
		n := int(buf[i])
		if n < minReplyLen {
			if why == nil {
				why = fmt.Errorf("%w: %d", ErrLength, n)
			}
			continue
		}
		if i+n+1 > len(buf) {
			if !flush {
				return nil, i, why
			}
			if why == nil {
				why = fmt.Errorf("%w: length byte %d, %d bytes", ErrShort, n, len(buf)-i)
			}
			continue
		}
		c := buf[i : i+n+1]
		if uint16(c[n-1])|uint16(c[n])<<8 == CRC16(c[:n-1]) {
			return c, i, why
		}
		if why == nil {
			why = ErrCRC
		}
	}
	return nil, len(buf), why
}
