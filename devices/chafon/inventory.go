package chafon

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/partsedge/partsedge/devices"
)

// InventoryCommandData is the Data[] of an inventory command for the
// variant. V2 sends none (§8.2.1 of manual V2.0: without AdrTID and LenTID
// the reader reports EPCs). UR sends QValue, Session, MaskMem 0x01 (EPC),
// MaskAdr 0x0000, MaskLen 0 (no mask), Target A, Ant (0x80 + port - 1) and
// Scantime (×100 ms) per UR manual v1.14 §8.2.1.
func InventoryCommandData(dst []byte, v Variant, antenna int, q, session, scanTime byte) ([]byte, error) {
	if v != UR {
		return dst, nil
	}
	if antenna < 1 || antenna > urMaxAntennas {
		return dst, fmt.Errorf("chafon: antenna %d: 1 to %d", antenna, urMaxAntennas)
	}
	if q > 15 || session > 3 {
		return dst, fmt.Errorf("chafon: q %d (0..15) or session %d (0..3) out of range", q, session)
	}
	return append(dst, q, session, 0x01, 0x00, 0x00, 0x00, 0x00, byte(urAntennaBase+antenna-1), scanTime), nil
}

// AppendTags decodes an inventory reply's data into tags appended to dst.
// Each EPC aliases data: copy it to keep it past the frame's buffer. On an
// error dst comes back as it was: nothing of a bad frame is kept.
func AppendTags(dst []devices.Tag, v Variant, data []byte) ([]devices.Tag, error) {
	if len(data) == 0 {
		return dst, nil
	}
	keep := len(dst)
	antenna := 0
	if v == UR {
		ant := data[0]
		if bits.OnesCount8(ant) != 1 {
			return dst, fmt.Errorf("%w: antenna mask 0x%02x names no single antenna", ErrData, ant)
		}
		antenna = bits.TrailingZeros8(ant) + 1
		data = data[1:]
		if len(data) == 0 {
			return dst, fmt.Errorf("%w: no tag count", ErrData)
		}
	}
	num := int(data[0])
	p := 1
	for i := 0; i < num; i++ {
		if p >= len(data) {
			return dst[:keep], fmt.Errorf("%w: tag %d of %d missing", ErrData, i+1, num)
		}
		l := int(data[p])
		fast := false
		if v == UR && l&fastIDFlag != 0 {
			fast, l = true, l&lenMask
		}
		p++
		end := p + l
		if v == UR {
			end++ // RSSI
		}
		if end > len(data) {
			return dst[:keep], fmt.Errorf("%w: tag %d of %d runs past the frame", ErrData, i+1, num)
		}
		epc := data[p : p+l]
		if fast {
			if l < fastIDTIDLen {
				return dst[:keep], fmt.Errorf("%w: FastID block of %d bytes is shorter than its TID", ErrData, l)
			}
			epc = epc[:l-fastIDTIDLen]
		}
		t := devices.Tag{EPC: epc}
		if v == UR {
			t.Antenna = antenna
			t.RSSI = RSSIdBm(data[end-1])
		}
		dst = append(dst, t)
		p = end
	}
	if p != len(data) {
		return dst[:keep], fmt.Errorf("%w: %d bytes", ErrTrailing, len(data)-p)
	}
	return dst, nil
}

// RSSIdBm converts the UR firmware's RSSI byte to dBm. The manual calls
// it "the reader signal strength" without a unit; readers of this family
// report the magnitude of a negative dBm value (a tag close to the antenna
// gives a small number), so the byte is read as -value dBm.
func RSSIdBm(b byte) float64 { return -float64(b) }

// ReaderInfo is the reply to Get Reader Information (§8.4.1).
type ReaderInfo struct {
	Major, Minor byte // firmware version and sub-version
	Type         byte // reader type (0x09 for the UHFReader18 family)
	Protocols    byte // bit 1: ISO 18000-6C, bit 0: ISO 18000-6B
	Band         byte // frequency band (see Region)
	MaxFreq      byte // highest channel number N in the band
	MinFreq      byte // lowest channel number N
	PowerDBm     byte
	ScanTime     byte // ×100 ms
	// Extra is what UR firmware appends after the eight bytes above
	// (antenna and buzzer settings); V2 sends none.
	Extra []byte
}

// ParseReaderInfo decodes a Get Reader Information reply's data: Version
// (2), Type, Tr_Type, DMaxFre, DMinFre, Power, Scntm. DMaxFre and DMinFre
// carry the band in their top two bits (DMaxFre's are the band's high
// bits) and a channel number in the low six.
func ParseReaderInfo(data []byte) (ReaderInfo, error) {
	if len(data) < 8 {
		return ReaderInfo{}, fmt.Errorf("%w: reader information has %d bytes, want 8", ErrData, len(data))
	}
	return ReaderInfo{
		Major: data[0], Minor: data[1], Type: data[2], Protocols: data[3],
		Band:    data[4]>>6<<2 | data[5]>>6,
		MaxFreq: data[4] & 0x3F, MinFreq: data[5] & 0x3F,
		PowerDBm: data[6], ScanTime: data[7], Extra: data[8:],
	}, nil
}

// Version is the firmware version as Partsedge writes it: major, a dot and
// the sub-version as two decimal digits ("2.36").
func (i ReaderInfo) Version() string { return fmt.Sprintf("%d.%02d", i.Major, i.Minor) }

// Region is a frequency band of Set Region (§8.4.2) with its channel
// numbers: Fs = Base + N × Step MHz for N in 0..MaxN.
type Region struct {
	Name string
	Band byte
	MaxN byte
	Base float64 // MHz
	Step float64 // MHz
	// UROnly is set for bands the V2.0 manual does not list.
	UROnly bool
}

var regions = []Region{
	{Name: "cn", Band: 1, MaxN: 19, Base: 920.125, Step: 0.25}, // Chinese band 2
	{Name: "us", Band: 2, MaxN: 49, Base: 902.75, Step: 0.5},
	{Name: "kr", Band: 3, MaxN: 31, Base: 917.1, Step: 0.2},
	{Name: "eu", Band: 4, MaxN: 14, Base: 865.1, Step: 0.2, UROnly: true},
}

// LookupRegion finds a profile's region by name (cn, us, kr, eu).
func LookupRegion(name string, v Variant) (Region, error) {
	var names []string
	for _, r := range regions {
		if r.UROnly && v != UR {
			continue
		}
		if strings.EqualFold(r.Name, name) {
			return r, nil
		}
		names = append(names, r.Name)
	}
	return Region{}, fmt.Errorf("chafon: region %q: variant %s knows %s", name, v, strings.Join(names, ", "))
}

// SetRegionData is the Data[] of Set Region for the whole band: MaxFre
// (band bits 3..2 in bits 7..6, channel MaxN) then MinFre (band bits 1..0,
// channel 0).
func (r Region) SetRegionData() []byte {
	return []byte{r.Band>>2<<6 | r.MaxN&0x3F, r.Band&3<<6 | 0}
}

// PowerData checks a power in dBm against §8.4.6 (0..30) and returns the
// Set Power data.
func PowerData(dBm float64) ([]byte, error) {
	if dBm < 0 || dBm > maxPowerDBm {
		return nil, fmt.Errorf("chafon: power %v dBm: the reader takes 0 to %d", dBm, maxPowerDBm)
	}
	return []byte{byte(dBm + 0.5)}, nil
}

// ScanTimeData converts a scan time in ms to the Set Scan Time unit
// (100 ms, 3..255 per §8.4.4).
func ScanTimeData(ms int) ([]byte, error) {
	t := (ms + scanTimeUnitMS - 1) / scanTimeUnitMS
	if t < minScanTime || t > 255 {
		return nil, fmt.Errorf("chafon: scan time %d ms: 300 to 25500 ms", ms)
	}
	return []byte{byte(t)}, nil
}
