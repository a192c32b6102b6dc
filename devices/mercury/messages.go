package mercury

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Version is the reply to the version command (0x03), as
// TMR_SR_cmdVersion reads it: four 4-byte fields and the protocol bitmask.
type Version struct {
	Bootloader [4]byte
	Hardware   [4]byte // Hardware[0] is the model id
	FWDate     [4]byte // BCD: 20 15 03 10 is 2015-03-10
	Firmware   [4]byte
	Protocols  uint32 // bit (id-1) set for each supported tag protocol id
}

// Model ids in Hardware[0] (serial_reader_imp.h TMR_SR_ModelHardwareID).
const (
	ModelM6e     = 0x18
	ModelM6eI    = 0x19
	ModelMicro   = 0x20
	ModelM6eNano = 0x30
	ModelM7ePico = 0x38
)

// ParseVersion decodes the data of a version reply.
func ParseVersion(data []byte) (Version, error) {
	var v Version
	if len(data) < 20 {
		return v, fmt.Errorf("mercury: version reply has %d data bytes, want 20", len(data))
	}
	copy(v.Bootloader[:], data[0:4])
	copy(v.Hardware[:], data[4:8])
	copy(v.FWDate[:], data[8:12])
	copy(v.Firmware[:], data[12:16])
	v.Protocols = binary.BigEndian.Uint32(data[16:20])
	return v, nil
}

func dottedHex(b [4]byte) string {
	return fmt.Sprintf("%02X.%02X.%02X.%02X", b[0], b[1], b[2], b[3])
}

// FirmwareString is the application firmware version as ThingMagic writes
// it, a dotted hex quad ("01.03.01.47"). Profiles match their version rule
// against this string.
func (v Version) FirmwareString() string { return dottedHex(v.Firmware) }

// BootloaderString is the bootloader version as a dotted hex quad.
func (v Version) BootloaderString() string { return dottedHex(v.Bootloader) }

// Model names the module from its hardware id.
func (v Version) Model() string {
	switch v.Hardware[0] {
	case ModelM6e:
		return "M6e"
	case ModelM6eI:
		return "M6e-I"
	case ModelMicro:
		return "M6e Micro"
	case ModelM6eNano:
		return "M6e Nano"
	case ModelM7ePico:
		return "M7e Pico"
	}
	return fmt.Sprintf("ThingMagic hardware 0x%02X", v.Hardware[0])
}

// Supports reports whether the module lists a tag protocol id.
func (v Version) Supports(protocol int) bool {
	return protocol >= 1 && protocol <= 32 && v.Protocols&(1<<(protocol-1)) != 0
}

// ReadTagMultiple is the data of a Read Tag ID Multiple command (0x22)
// without a filter: option byte 0, search flags, timeout in ms.
func ReadTagMultiple(searchFlags, timeoutMS uint16) []byte {
	return []byte{0, byte(searchFlags >> 8), byte(searchFlags), byte(timeoutMS >> 8), byte(timeoutMS)}
}

// ParseSearchCount returns the tag count of a successful Read Tag ID
// Multiple reply. The reply echoes the option byte and search flags, then
// counts in 4 bytes when the large-tag-population flag was set and in 1 byte
// otherwise; older firmware sends the count alone (TMR_SR_cmdReadTagMultiple
// tells the forms apart by length).
func ParseSearchCount(data []byte) (uint32, error) {
	switch len(data) {
	case 1:
		return uint32(data[0]), nil
	case 4:
		return uint32(data[3]), nil
	case 5:
		return uint32(data[4]), nil
	case 7:
		return binary.BigEndian.Uint32(data[3:]), nil
	case 8:
		return binary.BigEndian.Uint32(data[4:]), nil
	}
	return 0, fmt.Errorf("mercury: read tag multiple reply has %d data bytes, not a known form", len(data))
}

// SetAntennaList is the data of Set Antenna Port option 2 (logical antenna
// list) for monostatic ports: each port transmits and receives.
func SetAntennaList(ports []int) []byte {
	out := make([]byte, 1, 1+2*len(ports))
	out[0] = 2
	for _, p := range ports {
		out = append(out, byte(p), byte(p))
	}
	return out
}

// PowerCentiDBm converts dBm to the centi-dBm the power commands carry.
func PowerCentiDBm(dBm float64) uint16 { return uint16(int16(math.Round(dBm * 100))) }

// Regions maps the region names of the Mercury API (TMR_Region) to the
// region ids Set Region (0x97) takes.
var Regions = map[string]byte{
	"NA": 0x01, "EU": 0x02, "KR": 0x03, "IN": 0x04, "JP": 0x05, "PRC": 0x06,
	"EU2": 0x07, "EU3": 0x08, "KR2": 0x09, "PRC2": 0x0A, "AU": 0x0B, "NZ": 0x0C,
	"NA2": 0x0D, "NA3": 0x0E, "OPEN": 0xFF,
}

// MetadataFlags choose the fields of each tag record (TMR_TRD_MetadataFlag).
// The record holds the chosen fields in this bit order, then the EPC.
type MetadataFlags uint16

const (
	MetaReadCount MetadataFlags = 0x0001 // 1 byte
	MetaRSSI      MetadataFlags = 0x0002 // 1 byte, signed dBm
	MetaAntenna   MetadataFlags = 0x0004 // 1 byte, TX port << 4 | RX port
	MetaFrequency MetadataFlags = 0x0008 // 3 bytes, kHz
	MetaTimestamp MetadataFlags = 0x0010 // 4 bytes, ms since the search started
	MetaPhase     MetadataFlags = 0x0020 // 2 bytes, degrees
	MetaProtocol  MetadataFlags = 0x0040 // 1 byte, tag protocol id
	MetaData      MetadataFlags = 0x0080 // 2-byte bit count, then the bytes
	MetaGPIO      MetadataFlags = 0x0100 // 1 byte, one bit per pin
	// MetaKnown is every flag whose record layout this package knows. The
	// later flags (Gen2 Q, LF, target, brand id, ...) are left out of the
	// layout by older firmware and laid out differently by newer, so a
	// record carrying them is refused rather than guessed at.
	MetaKnown MetadataFlags = 0x01FF
)

// TagRecord is one tag of a Get Tag Buffer reply. EPC and Data alias the
// reply's bytes.
type TagRecord struct {
	ReadCount uint8
	RSSI      int8
	TxPort    uint8
	RxPort    uint8
	Frequency uint32
	Timestamp uint32
	Phase     uint16
	Protocol  uint8 // 0 when the record does not say
	Data      []byte
	GPIO      uint8
	HasPC     bool
	PC        uint16
	EPC       []byte
	CRC       uint16
}

// TagBuffer is a Get Tag Buffer reply (0x29 in its metadata form): the
// metadata flags the reader used, its read options and the records.
type TagBuffer struct {
	Flags       MetadataFlags
	ReadOptions byte
	Count       int
	rest        []byte
	done        int
}

// GetTagBuffer is the data of a Get Tag Buffer command in its metadata form.
func GetTagBuffer(flags MetadataFlags) []byte {
	return []byte{byte(flags >> 8), byte(flags), 0}
}

// ParseTagBuffer checks the head of a Get Tag Buffer reply's data; Next then
// walks its records.
func ParseTagBuffer(data []byte) (TagBuffer, error) {
	if len(data) < 4 {
		return TagBuffer{}, fmt.Errorf("mercury: tag buffer reply has %d data bytes, want at least 4", len(data))
	}
	tb := TagBuffer{
		Flags:       MetadataFlags(binary.BigEndian.Uint16(data)),
		ReadOptions: data[2],
		Count:       int(data[3]),
		rest:        data[4:],
	}
	if extra := tb.Flags &^ MetaKnown; extra != 0 {
		return TagBuffer{}, fmt.Errorf("mercury: tag buffer metadata flags 0x%04X include 0x%04X, whose layout is not known", uint16(tb.Flags), uint16(extra))
	}
	return tb, nil
}

// Next decodes the next record into rec. It returns false when every record
// the reply counts has been read; an error when the records do not fit the
// reply (after which the reply must be dropped whole).
func (tb *TagBuffer) Next(rec *TagRecord) (bool, error) {
	if tb.done == tb.Count {
		if len(tb.rest) != 0 {
			return false, fmt.Errorf("mercury: %d bytes after the %d tag records", len(tb.rest), tb.Count)
		}
		return false, nil
	}
	n, err := ParseTagRecord(tb.Flags, tb.rest, rec)
	if err != nil {
		return false, fmt.Errorf("mercury: tag record %d of %d: %w", tb.done+1, tb.Count, err)
	}
	tb.rest = tb.rest[n:]
	tb.done++
	return true, nil
}

// ParseTagRecord decodes one record laid out per flags from the front of b,
// as TMR_SR_parseMetadataFromMessage does, and returns its length. The EPC
// field is a bit count, then the tag's PC (Gen2 only), EPC and CRC.
func ParseTagRecord(flags MetadataFlags, b []byte, rec *TagRecord) (int, error) {
	*rec = TagRecord{}
	i := 0
	need := func(n int, what string) error {
		if len(b)-i < n {
			return fmt.Errorf("%s needs %d bytes, %d left", what, n, len(b)-i)
		}
		return nil
	}
	fixed := [...]struct {
		f    MetadataFlags
		n    int
		name string
	}{
		{MetaReadCount, 1, "read count"}, {MetaRSSI, 1, "RSSI"}, {MetaAntenna, 1, "antenna"},
		{MetaFrequency, 3, "frequency"}, {MetaTimestamp, 4, "timestamp"}, {MetaPhase, 2, "phase"},
		{MetaProtocol, 1, "protocol"},
	}
	for _, fl := range fixed {
		if flags&fl.f == 0 {
			continue
		}
		if err := need(fl.n, fl.name); err != nil {
			return 0, err
		}
		v := b[i : i+fl.n]
		switch fl.f {
		case MetaReadCount:
			rec.ReadCount = v[0]
		case MetaRSSI:
			rec.RSSI = int8(v[0])
		case MetaAntenna:
			rec.TxPort, rec.RxPort = v[0]>>4, v[0]&0x0F
		case MetaFrequency:
			rec.Frequency = uint32(v[0])<<16 | uint32(v[1])<<8 | uint32(v[2])
		case MetaTimestamp:
			rec.Timestamp = binary.BigEndian.Uint32(v)
		case MetaPhase:
			rec.Phase = binary.BigEndian.Uint16(v)
		case MetaProtocol:
			rec.Protocol = v[0]
		}
		i += fl.n
	}
	if flags&MetaData != 0 {
		if err := need(2, "data length"); err != nil {
			return 0, err
		}
		bits := int(binary.BigEndian.Uint16(b[i:]))
		i += 2
		n := (bits + 7) / 8
		if err := need(n, "data"); err != nil {
			return 0, err
		}
		rec.Data = b[i : i+n : i+n]
		i += n
	}
	if flags&MetaGPIO != 0 {
		if err := need(1, "GPIO"); err != nil {
			return 0, err
		}
		rec.GPIO = b[i]
		i++
	}
	if err := need(2, "EPC length"); err != nil {
		return 0, err
	}
	bits := int(binary.BigEndian.Uint16(b[i:]))
	i += 2
	if bits%8 != 0 {
		return 0, fmt.Errorf("EPC length of %d bits is not whole bytes", bits)
	}
	n := bits / 8
	least := 2
	if rec.Protocol == ProtocolGen2 {
		least = 4
	}
	if n < least {
		return 0, fmt.Errorf("EPC field of %d bytes is shorter than its PC and CRC", n)
	}
	if err := need(n, "EPC"); err != nil {
		return 0, err
	}
	f := b[i : i+n]
	if rec.Protocol == ProtocolGen2 {
		rec.HasPC, rec.PC = true, binary.BigEndian.Uint16(f)
		f = f[2:]
	}
	rec.EPC = f[: len(f)-2 : len(f)-2]
	rec.CRC = binary.BigEndian.Uint16(f[len(f)-2:])
	return i + n, nil
}
