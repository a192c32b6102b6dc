package epc

// Scheme is an EPC binary coding scheme, named as in the EPC tag URI.
type Scheme string

// The binary coding schemes this package encodes and decodes.
const (
	SGTIN96  Scheme = "sgtin-96"
	SGTIN198 Scheme = "sgtin-198"
	SSCC96   Scheme = "sscc-96"
	GRAI96   Scheme = "grai-96"
	GRAI170  Scheme = "grai-170"
	GIAI96   Scheme = "giai-96"
	GIAI202  Scheme = "giai-202"
)

// Kind is the EPC scheme of the pure identity URI (urn:epc:id:KIND:...), the
// identity a tag carries independent of how it is laid out in binary.
type Kind string

// The identity kinds this package handles.
const (
	KindSGTIN Kind = "sgtin"
	KindSSCC  Kind = "sscc"
	KindGRAI  Kind = "grai"
	KindGIAI  Kind = "giai"
)

// Schemes lists every binary scheme this package can encode, in header order.
func Schemes() []Scheme {
	return []Scheme{SGTIN96, SSCC96, GRAI96, GIAI96, SGTIN198, GRAI170, GIAI202}
}

// partition is one row of a TDS partition table: how the 44 (or 58, 82, 188)
// bits after the partition field split between the GS1 Company Prefix and the
// field that follows it, and how many decimal digits each side holds.
type partition struct {
	cpBits, cpDigits, refBits, refDigits int
}

// TDS 1.13 Table 14-2 (SGTIN): the second field is the indicator digit plus
// item reference.
var sgtinPartitions = [7]partition{
	{40, 12, 4, 1}, {37, 11, 7, 2}, {34, 10, 10, 3}, {30, 9, 14, 4},
	{27, 8, 17, 5}, {24, 7, 20, 6}, {20, 6, 24, 7},
}

// TDS 1.13 Table 14-5 (SSCC): the second field is the extension digit plus
// serial reference.
var ssccPartitions = [7]partition{
	{40, 12, 18, 5}, {37, 11, 21, 6}, {34, 10, 24, 7}, {30, 9, 28, 8},
	{27, 8, 31, 9}, {24, 7, 34, 10}, {20, 6, 38, 11},
}

// TDS 1.13 Table 14-10 (GRAI): the second field is the asset type, which is
// empty (zero digits, four zero bits) for a 12-digit company prefix.
var graiPartitions = [7]partition{
	{40, 12, 4, 0}, {37, 11, 7, 1}, {34, 10, 10, 2}, {30, 9, 14, 3},
	{27, 8, 17, 4}, {24, 7, 20, 5}, {20, 6, 24, 6},
}

// TDS 1.13 Table 14-13 (GIAI-96): the individual asset reference is an
// integer; refDigits is only the most digits its bits can hold.
var giai96Partitions = [7]partition{
	{40, 12, 42, 13}, {37, 11, 45, 14}, {34, 10, 48, 15}, {30, 9, 52, 16},
	{27, 8, 55, 17}, {24, 7, 58, 18}, {20, 6, 62, 19},
}

// TDS 1.13 Table 14-16 (GIAI-202): refDigits is the most characters the
// asset reference may have (30 minus the company prefix digits).
var giai202Partitions = [7]partition{
	{40, 12, 148, 18}, {37, 11, 151, 19}, {34, 10, 154, 20}, {30, 9, 158, 21},
	{27, 8, 161, 22}, {24, 7, 164, 23}, {20, 6, 168, 24},
}

// fieldMode is how a TDS field maps between bits and text.
type fieldMode uint8

const (
	modeNone    fieldMode = iota
	modeDecimal           // fixed digit count, leading zeros kept ("Partition" coding)
	modeInteger           // decimal without leading zeros ("Integer" coding)
	modeString            // 7-bit characters, zero filled ("String" coding)
)

type layout struct {
	scheme  Scheme
	kind    Kind
	header  byte
	bits    int
	parts   *[7]partition
	refMode fieldMode // the field after the company prefix
	// serial is the third field; GIAI keeps its asset reference in the second.
	serialMode  fieldMode
	serialBits  int
	serialChars int
	// reserved counts the trailing bits the scheme fixes at zero (SSCC-96).
	reserved int
}

// bytes is the length the scheme occupies in EPC memory: Gen2 stores the
// EPC in whole 16-bit words, so TDS pads with zero bits to a word boundary.
func (l *layout) bytes() int { return (l.bits + 15) / 16 * 2 }

var layouts = [...]layout{
	{SGTIN96, KindSGTIN, 0x30, 96, &sgtinPartitions, modeDecimal, modeInteger, 38, 0, 0},
	{SSCC96, KindSSCC, 0x31, 96, &ssccPartitions, modeDecimal, modeNone, 0, 0, 24},
	{GRAI96, KindGRAI, 0x33, 96, &graiPartitions, modeDecimal, modeInteger, 38, 0, 0},
	{GIAI96, KindGIAI, 0x34, 96, &giai96Partitions, modeInteger, modeNone, 0, 0, 0},
	{SGTIN198, KindSGTIN, 0x36, 198, &sgtinPartitions, modeDecimal, modeString, 140, 20, 0},
	{GRAI170, KindGRAI, 0x37, 170, &graiPartitions, modeDecimal, modeString, 112, 16, 0},
	{GIAI202, KindGIAI, 0x38, 202, &giai202Partitions, modeString, modeNone, 0, 0, 0},
}

func layoutByHeader(h byte) *layout {
	switch h {
	case 0x30:
		return &layouts[0]
	case 0x31:
		return &layouts[1]
	case 0x33:
		return &layouts[2]
	case 0x34:
		return &layouts[3]
	case 0x36:
		return &layouts[4]
	case 0x37:
		return &layouts[5]
	case 0x38:
		return &layouts[6]
	}
	return nil
}

func layoutByScheme(s Scheme) *layout {
	for i := range layouts {
		if layouts[i].scheme == s {
			return &layouts[i]
		}
	}
	return nil
}

// otherHeaderName names the EPC headers TDS assigns that this package does
// not decode, so an operator learns what the tag is rather than "garbage".
func otherHeaderName(h byte) string {
	switch h {
	case 0x00:
		return "unprogrammed tag"
	case 0x2C:
		return "GDTI-96"
	case 0x2D:
		return "GSRN-96"
	case 0x2E:
		return "GSRNP-96"
	case 0x2F:
		return "USDOD-96"
	case 0x32:
		return "SGLN-96"
	case 0x35:
		return "GID-96"
	case 0x39:
		return "SGLN-195"
	case 0x3A:
		return "GDTI-113"
	case 0x3B:
		return "ADI-var"
	case 0x3C:
		return "CPI-96"
	case 0x3D:
		return "CPI-var"
	case 0x3E:
		return "GDTI-174"
	case 0x3F:
		return "SGCN-96"
	case 0x40:
		return "ITIP-110"
	case 0x41:
		return "ITIP-212"
	case 0xF1:
		return "GRAI+"
	case 0xF6:
		return "GDTI+"
	case 0xF7:
		return "SGTIN+"
	}
	return ""
}

// kindInfo holds the GS1 key rules that hold whatever the binary scheme.
type kindInfo struct {
	// digits is the company prefix plus reference digit count; 0 for GIAI,
	// whose whole key after the prefix is the (alphanumeric) serial.
	digits int
	// serialMax is the longest serial the GS1 AI allows; for GIAI it is the
	// longest whole key (AI 8004 is at most 30 characters).
	serialMax int
	refField  string
}

func kindOf(k Kind) (kindInfo, bool) {
	switch k {
	case KindSGTIN:
		return kindInfo{13, 20, "itemReference"}, true
	case KindSSCC:
		return kindInfo{17, 0, "serialReference"}, true
	case KindGRAI:
		return kindInfo{12, 16, "assetType"}, true
	case KindGIAI:
		return kindInfo{0, 30, ""}, true
	}
	return kindInfo{}, false
}

// serialField is what the TDS calls the last field of each kind.
func serialField(k Kind) string {
	if k == KindGIAI {
		return "individualAssetReference"
	}
	return "serial"
}

var pow10 = [...]uint64{
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, 10000000000, 100000000000, 1000000000000,
}
