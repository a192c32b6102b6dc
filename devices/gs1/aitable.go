package gs1

// Charset is the character set an AI data component may use.
type Charset uint8

const (
	// Numeric is the digits 0-9.
	Numeric Charset = iota + 1
	// Set82 is the GS1 AI encodable character set 82 (GenSpecs figure 7.11-1).
	Set82
	// Set39 is the GS1 AI encodable character set 39 (GenSpecs figure 7.11-2),
	// used where the data must survive systems that only know upper case.
	Set39
	// Set64 is the GS1 AI encodable character set 64 (GenSpecs figure 7.11-3, "Z" in the
	// Syntax Dictionary): base64url, used for the digital signature of AI 8030.
	Set64
)

func (c Charset) String() string {
	switch c {
	case Numeric:
		return "N"
	case Set82:
		return "X"
	case Set39:
		return "Y"
	case Set64:
		return "Z"
	}
	return "?"
}

// DateRule says how a date-bearing AI's digits must be read.
type DateRule uint8

const (
	// NoDate marks AIs whose value is not a date.
	NoDate DateRule = iota
	// DateYYMMD0 is YYMMDD where DD 00 means the last day of the month (GenSpecs 3.4.x, 7.12).
	DateYYMMD0
	// DateYYMMDD is YYMMDD with a real day.
	DateYYMMDD
	// DateTime is YYMMDDHH optionally followed by MM and SS.
	DateTime
	// DateRange is YYMMDD optionally followed by a second YYMMDD (AI 7007).
	DateRange
)

// Component is one data field of an AI's value, e.g. AI 253 is N13 (check digit) + X..17.
type Component struct {
	Charset    Charset
	Min, Max   int
	CheckDigit bool // the component's last digit is a GS1 mod-10 check digit
	Lint       Lint
}

// Lint is a content rule on one component beyond its character set, as the GS1 Barcode Syntax
// Dictionary names them.
type Lint uint8

const (
	// LintNone adds no rule.
	LintNone Lint = iota
	// LintZero requires the digit 0 (the filler digit of GRAI, AI 8003).
	LintZero
	// LintYesNo requires 0 or 1.
	LintYesNo
	// LintHyphen requires '-' (the minus sign of the temperature AIs 4330-4333).
	LintHyphen
	// LintPieceOfTotal is NNMM with 1 <= piece NN <= total MM (ITIP, AIs 8006 and 8026).
	LintPieceOfTotal
	// LintHHMM is a time of day.
	LintHHMM
	// LintNonZero requires a number other than zero (the dimensions of AI 8001).
	LintNonZero
	// LintWinding is a winding direction: 0 face out, 1 face in, 9 undetermined (AI 8001).
	LintWinding
	// LintCsumAlpha is a value ending in a GS1 check character pair (GenSpecs 7.9.5), as in
	// the GMN, AI 8013.
	LintCsumAlpha
	// LintCsumAlphaNonDigit is LintCsumAlpha plus the Syntax Dictionary's hasnondigit (AI 8014,
	// MUDI): a value of digits only would be mistaken for a numeric key.
	LintCsumAlphaNonDigit
	// LintISO3166 is an ISO 3166-1 num-3 country code (AIs 421, 422, 424, 426).
	LintISO3166
	// LintISO3166List is zero or more further num-3 country codes (AIs 423, 425 after the
	// first code: up to five in all).
	LintISO3166List
	// LintISO3166999 is a num-3 country code or 999, "unknown" (AIs 7030-7039).
	LintISO3166999
	// LintISO3166Alpha2 is an ISO 3166-1 alpha-2 country code (AIs 4307, 4317).
	LintISO3166Alpha2
	// LintISO4217 is an ISO 4217 three-digit currency code (AIs 391n, 393n).
	LintISO4217
	// LintLatitude is a latitude as 10 digits, degrees + 90 times 10^7: 0..1800000000 (AI 4309).
	LintLatitude
	// LintLongitude is a longitude as 10 digits, degrees + 180 times 10^7: 0..3600000000.
	LintLongitude
	// LintIBAN is an ISO 13616 IBAN: alpha-2 country, mod-97 check digits, upper case
	// alphanumeric BBAN (AI 8007).
	LintIBAN
	// LintNoZeroPrefix forbids a leading zero unless the value is 0 (AI 8011).
	LintNoZeroPrefix
	// LintPcEnc requires every '%' to start a %HH escape: the name and address AIs let
	// characters outside set 82 through percent-encoded (GenSpecs 3.8.x, 4300-series).
	LintPcEnc
	// LintYYYYMMDD is a date with a four-digit year (AIs 7250, 7251).
	LintYYYYMMDD
	// LintISO5218 is a sex code of ISO/IEC 5218: 0 not known, 1 male, 2 female, 9 not
	// applicable (AI 7252).
	LintISO5218
	// LintPosInSeqSlash is "pos/end" with 1 <= pos <= end and no leading zeros (AI 7258).
	LintPosInSeqSlash
	// LintMediaType is an AIDC media type of the GenSpecs table: 01-10 or 80-99 (AI 7241).
	LintMediaType
	// LintImporterIdx is the importer index of the EU 2018/574 UIC: one of - 0-9 A-Z _ a-z
	// (AI 7040).
	LintImporterIdx
	// LintCSet64 puts at most two '=' at the end of a set 64 value, and only where the length
	// is a multiple of three (the Syntax Dictionary's cset64 linter, AI 8030).
	LintCSet64
)

// AIDef describes one Application Identifier as the GS1 General Specifications define it.
type AIDef struct {
	AI         string
	Title      string
	Parts      []Component
	Date       DateRule
	Decimals   int    // implied decimal places for measures and amounts, -1 when not applicable
	Unit       string // unit of a measure AI
	Predefined bool   // in GenSpecs' table of predefined-length AIs: never followed by FNC1
}

// MinLen is the shortest legal value.
func (d AIDef) MinLen() int {
	n := 0
	for _, p := range d.Parts {
		n += p.Min
	}
	return n
}

// MaxLen is the longest legal value.
func (d AIDef) MaxLen() int {
	n := 0
	for _, p := range d.Parts {
		n += p.Max
	}
	return n
}

// Fixed reports whether the value has one length only.
func (d AIDef) Fixed() bool { return d.MinLen() == d.MaxLen() }

// predefinedLength is GenSpecs figure 7.8.5-2 ("Element strings with predefined length using GS1
// Application Identifiers"): the first two digits of the AI and the total length of AI plus data.
// Only these element strings may be followed by the next AI without an FNC1; every other AI,
// fixed length or not, needs a separator unless it ends the data. Prefixes 04, 14, 18, 19 are
// reserved there so that future AIs under them stay predefined. The table's entry 23 belonged to
// the withdrawn AI 23n; AI 235 (TPX) is variable length and therefore always needs a separator.
var predefinedLength = map[string]int{
	"00": 20, "01": 16, "02": 16, "03": 16, "04": 18,
	"11": 8, "12": 8, "13": 8, "14": 8, "15": 8, "16": 8, "17": 8, "18": 8, "19": 8,
	"20": 4,
	"31": 10, "32": 10, "33": 10, "34": 10, "35": 10, "36": 10,
	"41": 16,
}

func n(l int) Component                { return Component{Charset: Numeric, Min: l, Max: l} }
func nck(l int) Component              { return Component{Charset: Numeric, Min: l, Max: l, CheckDigit: true} }
func nv(lo, hi int) Component          { return Component{Charset: Numeric, Min: lo, Max: hi} }
func xv(lo, hi int) Component          { return Component{Charset: Set82, Min: lo, Max: hi} }
func x(l int) Component                { return Component{Charset: Set82, Min: l, Max: l} }
func yv(lo, hi int) Component          { return Component{Charset: Set39, Min: lo, Max: hi} }
func zv(lo, hi int) Component          { return Component{Charset: Set64, Min: lo, Max: hi, Lint: LintCSet64} }
func parts(c ...Component) []Component { return c }

func lint(c Component, l Lint) Component { c.Lint = l; return c }

// measure describes the 31nn-36nn families (GenSpecs 3.6.2 onwards): a 3-digit stem, the
// fourth digit 0-5 being the position of the implied decimal point, and six digits of value.
type measure struct {
	stem, title, unit string
}

var measures = []measure{
	{"310", "NET WEIGHT (kg)", "kg"},
	{"311", "LENGTH (m)", "m"},
	{"312", "WIDTH (m)", "m"},
	{"313", "HEIGHT (m)", "m"},
	{"314", "AREA (m²)", "m2"},
	{"315", "NET VOLUME (l)", "l"},
	{"316", "NET VOLUME (m³)", "m3"},
	{"320", "NET WEIGHT (lb)", "lb"},
	{"321", "LENGTH (in)", "in"},
	{"322", "LENGTH (ft)", "ft"},
	{"323", "LENGTH (yd)", "yd"},
	{"324", "WIDTH (in)", "in"},
	{"325", "WIDTH (ft)", "ft"},
	{"326", "WIDTH (yd)", "yd"},
	{"327", "HEIGHT (in)", "in"},
	{"328", "HEIGHT (ft)", "ft"},
	{"329", "HEIGHT (yd)", "yd"},
	{"330", "GROSS WEIGHT (kg)", "kg"},
	{"331", "LENGTH (m), log", "m"},
	{"332", "WIDTH (m), log", "m"},
	{"333", "HEIGHT (m), log", "m"},
	{"334", "AREA (m²), log", "m2"},
	{"335", "VOLUME (l), log", "l"},
	{"336", "VOLUME (m³), log", "m3"},
	{"337", "KG PER m²", "kg/m2"},
	{"340", "GROSS WEIGHT (lb)", "lb"},
	{"341", "LENGTH (in), log", "in"},
	{"342", "LENGTH (ft), log", "ft"},
	{"343", "LENGTH (yd), log", "yd"},
	{"344", "WIDTH (in), log", "in"},
	{"345", "WIDTH (ft), log", "ft"},
	{"346", "WIDTH (yd), log", "yd"},
	{"347", "HEIGHT (in), log", "in"},
	{"348", "HEIGHT (ft), log", "ft"},
	{"349", "HEIGHT (yd), log", "yd"},
	{"350", "AREA (in²)", "in2"},
	{"351", "AREA (ft²)", "ft2"},
	{"352", "AREA (yd²)", "yd2"},
	{"353", "AREA (in²), log", "in2"},
	{"354", "AREA (ft²), log", "ft2"},
	{"355", "AREA (yd²), log", "yd2"},
	{"356", "NET WEIGHT (t oz)", "troy oz"},
	{"357", "NET VOLUME (oz)", "oz"},
	{"360", "NET VOLUME (qt)", "qt"},
	{"361", "NET VOLUME (gal.)", "gal"},
	{"362", "VOLUME (qt), log", "qt"},
	{"363", "VOLUME (gal.), log", "gal"},
	{"364", "VOLUME (in³)", "in3"},
	{"365", "VOLUME (ft³)", "ft3"},
	{"366", "VOLUME (yd³)", "yd3"},
	{"367", "VOLUME (in³), log", "in3"},
	{"368", "VOLUME (ft³), log", "ft3"},
	{"369", "VOLUME (yd³), log", "yd3"},
}

// aiTable is the GS1 Application Identifier table of GenSpecs section 3 (3.2 "GS1 Application
// Identifiers in numerical order" and the AI definitions 3.3-3.9), built once and never written.
var aiTable = buildTable()

func buildTable() map[string]AIDef {
	t := map[string]AIDef{}
	add := func(ai, title string, p []Component, date DateRule) {
		d := AIDef{AI: ai, Title: title, Parts: p, Date: date, Decimals: -1}
		if l, ok := predefinedLength[ai[:2]]; ok && d.Fixed() && len(ai)+d.MaxLen() == l {
			d.Predefined = true
		}
		t[ai] = d
	}
	// 3.3 identification keys and their attributes.
	add("00", "SSCC", parts(nck(18)), NoDate)
	add("01", "GTIN", parts(nck(14)), NoDate)
	add("02", "CONTENT", parts(nck(14)), NoDate)
	add("03", "MTO GTIN", parts(nck(14)), NoDate)
	add("10", "BATCH/LOT", parts(xv(1, 20)), NoDate)
	add("11", "PROD DATE", parts(n(6)), DateYYMMD0)
	add("12", "DUE DATE", parts(n(6)), DateYYMMD0)
	add("13", "PACK DATE", parts(n(6)), DateYYMMD0)
	add("15", "BEST BEFORE or BEST BY", parts(n(6)), DateYYMMD0)
	add("16", "SELL BY", parts(n(6)), DateYYMMD0)
	add("17", "USE BY or EXPIRY", parts(n(6)), DateYYMMD0)
	add("20", "VARIANT", parts(n(2)), NoDate)
	add("21", "SERIAL", parts(xv(1, 20)), NoDate)
	add("22", "CPV", parts(xv(1, 20)), NoDate)
	add("235", "TPX", parts(xv(1, 28)), NoDate)
	add("240", "ADDITIONAL ID", parts(xv(1, 30)), NoDate)
	add("241", "CUST. PART No.", parts(xv(1, 30)), NoDate)
	add("242", "MTO VARIANT", parts(nv(1, 6)), NoDate)
	add("243", "PCN", parts(xv(1, 20)), NoDate)
	add("250", "SECONDARY SERIAL", parts(xv(1, 30)), NoDate)
	add("251", "REF. TO SOURCE", parts(xv(1, 30)), NoDate)
	add("253", "GDTI", parts(nck(13), xv(0, 17)), NoDate)
	add("254", "GLN EXTENSION COMPONENT", parts(xv(1, 20)), NoDate)
	add("255", "GCN", parts(nck(13), nv(0, 12)), NoDate)
	add("30", "VAR. COUNT", parts(nv(1, 8)), NoDate)
	add("37", "COUNT", parts(nv(1, 8)), NoDate)
	for _, m := range measures {
		for d := 0; d <= 5; d++ {
			ai := m.stem + string(rune('0'+d))
			add(ai, m.title, parts(n(6)), NoDate)
			def := t[ai]
			def.Decimals, def.Unit = d, m.unit
			t[ai] = def
		}
	}
	for d := 0; d <= 9; d++ {
		s := string(rune('0' + d))
		for _, a := range []struct {
			stem, title string
			p           []Component
		}{
			{"390", "AMOUNT", parts(nv(1, 15))},
			{"391", "AMOUNT", parts(lint(n(3), LintISO4217), nv(1, 15))},
			{"392", "PRICE", parts(nv(1, 15))},
			{"393", "PRICE", parts(lint(n(3), LintISO4217), nv(1, 15))},
		} {
			add(a.stem+s, a.title, a.p, NoDate)
			def := t[a.stem+s]
			def.Decimals = d
			t[a.stem+s] = def
		}
		if d <= 5 {
			add("395"+s, "PRICE/UoM", parts(n(6)), NoDate)
			def := t["395"+s]
			def.Decimals = d
			t["395"+s] = def
		}
		if d <= 3 {
			add("394"+s, "PRCNT OFF", parts(n(4)), NoDate)
			def := t["394"+s]
			def.Decimals = d
			t["394"+s] = def
		}
	}
	// 3.7 trade and logistics.
	add("400", "ORDER NUMBER", parts(xv(1, 30)), NoDate)
	add("401", "GINC", parts(xv(1, 30)), NoDate)
	add("402", "GSIN", parts(nck(17)), NoDate)
	add("403", "ROUTE", parts(xv(1, 30)), NoDate)
	for i, title := range []string{"SHIP TO LOC", "BILL TO", "PURCHASE FROM", "SHIP FOR LOC", "LOC No.", "PAY TO", "PROD/SERV LOC", "PARTY"} {
		add("41"+string(rune('0'+i)), title, parts(nck(13)), NoDate)
	}
	add("420", "SHIP TO POST", parts(xv(1, 20)), NoDate)
	country := lint(n(3), LintISO3166)
	// 423 and 425 are N3 [N3] [N3] [N3] [N3] in the Syntax Dictionary: one to five countries.
	countries := parts(country, lint(nv(0, 12), LintISO3166List))
	add("421", "SHIP TO POST", parts(country, xv(1, 9)), NoDate)
	add("422", "ORIGIN", parts(country), NoDate)
	add("423", "COUNTRY - INITIAL PROCESS", countries, NoDate)
	add("424", "COUNTRY - PROCESS", parts(country), NoDate)
	add("425", "COUNTRY - DISASSEMBLY", countries, NoDate)
	add("426", "COUNTRY - FULL PROCESS", parts(country), NoDate)
	add("427", "ORIGIN SUBDIVISION", parts(xv(1, 3)), NoDate)
	// 3.7.x transport process information (4300-4333).
	for i, title := range []string{"SHIP TO COMP", "SHIP TO NAME", "SHIP TO ADD1", "SHIP TO ADD2", "SHIP TO SUB",
		"SHIP TO LOC", "SHIP TO REG", "SHIP TO COUNTRY", "SHIP TO PHONE", "SHIP TO GEO",
		"RTN TO COMP", "RTN TO NAME", "RTN TO ADD1", "RTN TO ADD2", "RTN TO SUB",
		"RTN TO LOC", "RTN TO REG", "RTN TO COUNTRY", "RTN TO POST", "RTN TO PHONE"} {
		ai := "43" + itoa(i/10) + itoa(i%10)
		// Names and addresses may carry percent-encoded characters outside set 82 (pcenc);
		// postcodes and phone numbers may not.
		switch ai[3] {
		case '0', '1':
			add(ai, title, parts(lint(xv(1, 35), LintPcEnc)), NoDate)
		case '7':
			add(ai, title, parts(lint(x(2), LintISO3166Alpha2)), NoDate)
		case '9':
			if ai == "4309" {
				add(ai, title, parts(lint(n(10), LintLatitude), lint(n(10), LintLongitude)), NoDate)
			} else {
				add(ai, title, parts(xv(1, 30)), NoDate)
			}
		case '8':
			if ai == "4318" {
				add(ai, title, parts(xv(1, 20)), NoDate)
			} else {
				add(ai, title, parts(xv(1, 30)), NoDate)
			}
		default:
			add(ai, title, parts(lint(xv(1, 70), LintPcEnc)), NoDate)
		}
	}
	add("4320", "SRV DESCRIPTION", parts(lint(xv(1, 35), LintPcEnc)), NoDate)
	add("4321", "DANGEROUS GOODS", parts(lint(n(1), LintYesNo)), NoDate)
	add("4322", "AUTH TO LEAVE", parts(lint(n(1), LintYesNo)), NoDate)
	add("4323", "SIG REQUIRED", parts(lint(n(1), LintYesNo)), NoDate)
	add("4324", "NOT BEF DEL DT", parts(n(6), lint(n(4), LintHHMM)), DateYYMMD0)
	add("4325", "NOT AFT DEL DT", parts(n(6), lint(n(4), LintHHMM)), DateYYMMD0)
	add("4326", "REL DATE", parts(n(6)), DateYYMMDD)
	add("4330", "MAX TEMP F.", parts(n(6), lint(xv(0, 1), LintHyphen)), NoDate)
	add("4331", "MAX TEMP C.", parts(n(6), lint(xv(0, 1), LintHyphen)), NoDate)
	add("4332", "MIN TEMP F.", parts(n(6), lint(xv(0, 1), LintHyphen)), NoDate)
	add("4333", "MIN TEMP C.", parts(n(6), lint(xv(0, 1), LintHyphen)), NoDate)
	// 3.8 7000 series.
	add("7001", "NSN", parts(n(13)), NoDate)
	add("7002", "MEAT CUT", parts(xv(1, 30)), NoDate)
	add("7003", "EXPIRY TIME", parts(n(6), lint(n(4), LintHHMM)), DateYYMMDD)
	add("7004", "ACTIVE POTENCY", parts(nv(1, 4)), NoDate)
	add("7005", "CATCH AREA", parts(xv(1, 12)), NoDate)
	add("7011", "TEST BY DATE", parts(n(6), lint(nv(0, 4), LintHHMM)), DateYYMMDD)
	add("7006", "FIRST FREEZE DATE", parts(n(6)), DateYYMMDD)
	add("7007", "HARVEST DATE", parts(n(6), nv(0, 6)), DateRange)
	add("7008", "AQUATIC SPECIES", parts(xv(1, 3)), NoDate)
	add("7009", "FISHING GEAR TYPE", parts(xv(1, 10)), NoDate)
	add("7010", "PROD METHOD", parts(xv(1, 2)), NoDate)
	add("7020", "REFURB LOT", parts(xv(1, 20)), NoDate)
	add("7021", "FUNC STAT", parts(xv(1, 20)), NoDate)
	add("7022", "REV STAT", parts(xv(1, 20)), NoDate)
	add("7023", "GIAI - ASSEMBLY", parts(xv(1, 30)), NoDate)
	for i := 0; i <= 9; i++ {
		// 999 stands for a processor whose country is not known.
		add("703"+string(rune('0'+i)), "PROCESSOR # "+string(rune('0'+i)), parts(lint(n(3), LintISO3166999), xv(1, 27)), NoDate)
	}
	add("7040", "UIC+EXT", parts(n(1), x(2), lint(x(1), LintImporterIdx)), NoDate)
	// The Syntax Dictionary's packagetype linter (UN/ECE Recommendation 21 codes) is not
	// applied to 7041: only the X..4 format is checked.
	add("7041", "UFRGT UNIT TYPE", parts(xv(1, 4)), NoDate)
	for i, title := range []string{"NHRN PZN", "NHRN CIP", "NHRN CN", "NHRN DRN", "NHRN AIM", "NHRN NDC", "NHRN AIC"} {
		add("71"+string(rune('0'+i)), title, parts(xv(1, 20)), NoDate)
	}
	for i := 0; i <= 9; i++ {
		add("723"+string(rune('0'+i)), "CERT # "+itoa(i+1), parts(x(2), xv(1, 28)), NoDate)
	}
	add("7240", "PROTOCOL", parts(xv(1, 20)), NoDate)
	add("7241", "AIDC MEDIA TYPE", parts(lint(n(2), LintMediaType)), NoDate)
	add("7242", "VCN", parts(xv(1, 25)), NoDate)
	// 7250-7259: patient and newborn data on GSRN-identified wristbands (GenSpecs 3.8.x).
	add("7250", "DOB", parts(lint(n(8), LintYYYYMMDD)), NoDate)
	add("7251", "DOB TIME", parts(lint(n(8), LintYYYYMMDD), lint(n(4), LintHHMM)), NoDate)
	add("7252", "BIO SEX", parts(lint(n(1), LintISO5218)), NoDate)
	add("7253", "FAMILY NAME", parts(lint(xv(1, 40), LintPcEnc)), NoDate)
	add("7254", "GIVEN NAME", parts(lint(xv(1, 40), LintPcEnc)), NoDate)
	add("7255", "SUFFIX", parts(xv(1, 10)), NoDate)
	add("7256", "FULL NAME", parts(lint(xv(1, 90), LintPcEnc)), NoDate)
	add("7257", "PERSON ADDR", parts(lint(xv(1, 70), LintPcEnc)), NoDate)
	add("7258", "BIRTH SEQUENCE", parts(lint(x(3), LintPosInSeqSlash)), NoDate)
	add("7259", "BABY", parts(lint(xv(1, 40), LintPcEnc)), NoDate)
	// 3.9 8000 series.
	add("8001", "DIMENSIONS", parts(lint(n(4), LintNonZero), lint(n(5), LintNonZero), lint(n(3), LintNonZero), lint(n(1), LintWinding), n(1)), NoDate)
	add("8002", "CMT No.", parts(xv(1, 20)), NoDate)
	add("8003", "GRAI", parts(lint(n(1), LintZero), nck(13), xv(0, 16)), NoDate)
	add("8004", "GIAI", parts(xv(1, 30)), NoDate)
	add("8005", "PRICE PER UNIT", parts(n(6)), NoDate)
	add("8006", "ITIP", parts(nck(14), lint(n(4), LintPieceOfTotal)), NoDate)
	add("8007", "IBAN", parts(lint(xv(1, 34), LintIBAN)), NoDate)
	add("8008", "PROD TIME", parts(n(8), nv(0, 4)), DateTime)
	add("8009", "OPTSEN", parts(xv(1, 50)), NoDate)
	add("8010", "CPID", parts(yv(1, 30)), NoDate)
	add("8011", "CPID SERIAL", parts(lint(nv(1, 12), LintNoZeroPrefix)), NoDate)
	add("8012", "VERSION", parts(xv(1, 20)), NoDate)
	add("8013", "GMN", parts(lint(xv(2, 25), LintCsumAlpha)), NoDate)
	add("8014", "MUDI", parts(lint(xv(2, 25), LintCsumAlphaNonDigit)), NoDate)
	add("8017", "GSRN - PROVIDER", parts(nck(18)), NoDate)
	add("8018", "GSRN - RECIPIENT", parts(nck(18)), NoDate)
	add("8019", "SRIN", parts(nv(1, 10)), NoDate)
	add("8020", "REF No.", parts(xv(1, 25)), NoDate)
	add("8026", "ITIP CONTENT", parts(nck(14), lint(n(4), LintPieceOfTotal)), NoDate)
	add("8030", "DIGSIG", parts(zv(1, 90)), NoDate)
	add("8110", "COUPON CODE", parts(xv(1, 70)), NoDate)
	add("8111", "POINTS", parts(n(4)), NoDate)
	add("8112", "PAPERLESS COUPON CODE", parts(xv(1, 70)), NoDate)
	add("8200", "PRODUCT URL", parts(xv(1, 70)), NoDate)
	// 3.10 company internal information.
	add("90", "INTERNAL", parts(xv(1, 30)), NoDate)
	for i := 1; i <= 9; i++ {
		add("9"+string(rune('0'+i)), "INTERNAL", parts(xv(1, 90)), NoDate)
	}
	return t
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// Lookup returns the definition of an AI. Parts is a copy, so callers cannot alter the table.
func Lookup(ai string) (AIDef, bool) {
	d, ok := aiTable[ai]
	d.Parts = append([]Component(nil), d.Parts...)
	return d, ok
}

// matchAI finds the AI at the start of s. GS1 AIs form a prefix-free code (no AI is the
// beginning of another), so the first length that matches is the only one.
func matchAI(s string) (AIDef, bool) {
	for l := 2; l <= 4 && l <= len(s); l++ {
		if d, ok := aiTable[s[:l]]; ok {
			return d, true
		}
	}
	return AIDef{}, false
}

// unknownAIText is what an error names as the AI when none matched: the digits at the start.
func unknownAIText(s string) string {
	end := 0
	for end < len(s) && end < 4 && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	return s[:end]
}
