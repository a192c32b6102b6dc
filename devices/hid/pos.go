package hid

import (
	"errors"
	"fmt"

	"github.com/partsedge/partsedge/devices/gs1"
)

// The HID POS scanned-data input report, as Honeywell (Hand Held Products)
// documents it in "USB Interfaces User's Guide — For USB-Capable Adaptus
// Imaging Technology Imagers" (Application Note, 2006), chapter 1 "HID POS
// Interface", "Getting Scanned Data"; the same layout is in Access-IS product
// manuals (LSR116/LSR118 appendix "HID reports – Receive data", with a
// two-report example). The report is fixed at 64 bytes:
//
//	byte 0      report ID, 0x02
//	byte 1      length of the decoded data in this report, 0..56
//	bytes 2-4   AIM symbology identifier: ']', code character, modifier
//	bytes 5-60  decoded data, zero-padded after the length
//	byte 61     Honeywell (HHP) code ID
//	byte 62     reserved
//	byte 63     bit 0: decoded data continued (more reports follow)
//
// A barcode longer than 56 bytes arrives as several reports: each repeats the
// AIM identifier, every one but the last has the continued bit set. The
// report carries the usages of the HID Point of Sale Usage Tables 1.02
// (usage page 0x8C, Bar Code Scanner: Scanned Data Report 0x12, Symbology
// Identifier 1..3 0x91-0x93, Decoded Data 0xFE, Decode Data Continued 0xFF).
const (
	POSReportSize  = 64
	POSReportID    = 0x02
	posMaxData     = 56
	posDataOffset  = 5
	posCodeIDAt    = 61
	posFlagsAt     = 63
	posContinued   = 0x01
	defaultMaxScan = 8192 // above the largest QR Code (7089 digits)
)

// ErrBadReport is wrapped by every error about a report the codecs reject.
var ErrBadReport = errors.New("hid: bad report")

// POSReport is one scanned-data input report. Data aliases the report.
type POSReport struct {
	AIM       [3]byte
	Data      []byte
	CodeID    byte // Honeywell code ID, 0 when the scanner leaves it out
	Continued bool
}

// ParsePOSReport checks and splits one 64-byte scanned-data report.
func ParsePOSReport(b []byte) (POSReport, error) {
	if len(b) != POSReportSize {
		return POSReport{}, fmt.Errorf("%w: %d bytes, a HID POS report has %d", ErrBadReport, len(b), POSReportSize)
	}
	if b[0] != POSReportID {
		return POSReport{}, fmt.Errorf("%w: report id 0x%02x, scanned data is 0x%02x", ErrBadReport, b[0], POSReportID)
	}
	n := int(b[1])
	if n > posMaxData {
		return POSReport{}, fmt.Errorf("%w: data length %d, at most %d fit", ErrBadReport, n, posMaxData)
	}
	if !validAIM(b[2], b[3], b[4]) {
		return POSReport{}, fmt.Errorf("%w: %q is not an AIM symbology identifier", ErrBadReport, b[2:5])
	}
	if b[posFlagsAt]&^posContinued != 0 {
		return POSReport{}, fmt.Errorf("%w: reserved flag bits 0x%02x set", ErrBadReport, b[posFlagsAt])
	}
	return POSReport{
		AIM:       [3]byte{b[2], b[3], b[4]},
		Data:      b[posDataOffset : posDataOffset+n],
		CodeID:    b[posCodeIDAt],
		Continued: b[posFlagsAt]&posContinued != 0,
	}, nil
}

// POSMessage is one whole barcode put together from its reports. Data is
// only valid until the next call to Feed.
type POSMessage struct {
	AIMID     string
	Symbology string
	Data      []byte
}

// POSAssembler puts multi-report scans back together. A report it rejects
// spoils the scan it belongs to: the assembler then skips reports up to and
// including the next one without the continued bit, so that no part of a
// broken scan is ever reported as a scan of its own.
type POSAssembler struct {
	buf    []byte
	aim    [3]byte
	inMsg  bool
	resync bool
	max    int
}

// NewPOSAssembler returns an assembler that rejects scans longer than max
// bytes (0: 8192).
func NewPOSAssembler(max int) *POSAssembler {
	if max <= 0 {
		max = defaultMaxScan
	}
	return &POSAssembler{buf: make([]byte, 0, 256), max: max}
}

// Feed takes one report. It returns done=true with the message when the
// report completed a scan, and an error wrapping ErrBadReport when the report
// was rejected or belongs to a scan spoilt earlier.
func (a *POSAssembler) Feed(report []byte) (msg POSMessage, done bool, err error) {
	r, err := ParsePOSReport(report)
	if err != nil {
		// Trust the continued bit of a full-length report: it says whether
		// the reports after this one still belong to the spoilt scan.
		a.resync = len(report) != POSReportSize || report[posFlagsAt]&posContinued != 0
		a.reset()
		return POSMessage{}, false, err
	}
	if a.resync {
		a.resync = r.Continued
		return POSMessage{}, false, fmt.Errorf("%w: skipped, part of a scan spoilt by an earlier report", ErrBadReport)
	}
	if a.inMsg && r.AIM != a.aim {
		a.resync = r.Continued
		a.reset()
		return POSMessage{}, false, fmt.Errorf("%w: symbology changed from %s to %s inside one scan", ErrBadReport, string(a.aim[:]), string(r.AIM[:]))
	}
	if len(a.buf)+len(r.Data) > a.max {
		a.resync = r.Continued
		a.reset()
		return POSMessage{}, false, fmt.Errorf("%w: scan longer than %d bytes", ErrBadReport, a.max)
	}
	a.inMsg, a.aim = true, r.AIM
	a.buf = append(a.buf, r.Data...)
	if r.Continued {
		return POSMessage{}, false, nil
	}
	data := a.buf
	// Scanners told to prefix the AIM identifier to the data as well send it
	// twice: once in the report's fields, once in the data.
	if len(data) >= 3 && data[0] == a.aim[0] && data[1] == a.aim[1] && data[2] == a.aim[2] {
		data = data[3:]
	}
	if len(data) == 0 {
		a.reset()
		return POSMessage{}, false, fmt.Errorf("%w: scan with no data", ErrBadReport)
	}
	msg = POSMessage{AIMID: aimString(a.aim), Data: data}
	msg.Symbology = gs1.Symbology(msg.AIMID)
	a.reset()
	return msg, true, nil
}

func (a *POSAssembler) reset() {
	a.buf = a.buf[:0]
	a.inMsg = false
}

// aimString avoids an allocation for the identifiers scanners send most.
func aimString(aim [3]byte) string {
	switch string(aim[:]) {
	case "]C0":
		return "]C0"
	case "]C1":
		return "]C1"
	case "]E0":
		return "]E0"
	case "]d2":
		return "]d2"
	case "]Q1":
		return "]Q1"
	case "]Q3":
		return "]Q3"
	case "]A0":
		return "]A0"
	}
	return string(aim[:])
}
