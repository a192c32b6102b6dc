package gs1

import (
	"bufio"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestGenSpecsExamples(t *testing.T) {
	f, err := os.Open("testdata/genspecs_examples.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	n := 0
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if l == "" || l[0] == '#' {
			continue
		}
		f := strings.Split(l, " | ")
		if len(f) != 3 {
			t.Fatalf("line %d: want 3 fields, got %q", line, l)
		}
		kind, in, want := f[0], strings.ReplaceAll(f[1], "{GS}", "\x1d"), f[2]
		n++
		var r Result
		switch kind {
		case "check":
			if got := string(CheckDigit(in)); got != want {
				t.Errorf("line %d: CheckDigit(%s) = %s, want %s", line, in, got, want)
			}
			if !ValidCheckDigit(in + want) {
				t.Errorf("line %d: ValidCheckDigit(%s%s) = false", line, in, want)
			}
			continue
		case "raw":
			r, err = Parse(in)
		case "hri":
			r, err = ParseHRI(in)
		case "dl":
			r, err = ParseDigitalLink(in)
		default:
			t.Fatalf("line %d: unknown kind %q", line, kind)
		}
		if err != nil {
			t.Errorf("line %d: %s %q: %v", line, kind, f[1], err)
			continue
		}
		if got := HRI(r.Elements); got != want {
			t.Errorf("line %d: %s %q = %s, want %s", line, kind, f[1], got, want)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("only %d examples read", n)
	}
}

func TestPredefinedLength(t *testing.T) {
	// GenSpecs figure 7.8.5-2 by AI: these, and only these, need no FNC1 after them.
	predefined := map[string]bool{"00": true, "01": true, "02": true, "03": true, "11": true, "12": true,
		"13": true, "15": true, "16": true, "17": true, "20": true, "410": true, "414": true, "417": true,
		"3103": true, "3300": true, "3695": true}
	separated := []string{"10", "21", "22", "235", "240", "30", "37", "3900", "3915", "402", "420", "422",
		"7001", "7003", "8001", "8005", "8017", "8111", "90", "99"}
	for ai := range predefined {
		if d, ok := Lookup(ai); !ok || !d.Predefined {
			t.Errorf("AI %s: Predefined = false, want true", ai)
		}
	}
	for _, ai := range separated {
		if d, ok := Lookup(ai); !ok || d.Predefined {
			t.Errorf("AI %s: Predefined = true or missing, want false", ai)
		}
	}
	for ai, d := range aiTable {
		l, ok := predefinedLength[ai[:2]]
		if d.Predefined != (ok && d.Fixed() && len(ai)+d.MaxLen() == l) {
			t.Errorf("AI %s: Predefined = %v disagrees with figure 7.8.5-2", ai, d.Predefined)
		}
		if d.Title == "" || d.AI != ai {
			t.Errorf("AI %s: bad entry %+v", ai, d)
		}
		for l2 := 2; l2 < len(ai); l2++ {
			if _, ok := aiTable[ai[:l2]]; ok {
				t.Errorf("AI %s has the AI %s as a prefix", ai, ai[:l2])
			}
		}
	}
}

func TestCheckDigit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"09506000134352", true},
		{"09506000134353", false},
		{"96385074", true}, // GTIN-8
		{"036000291452", true},
		{"", false},
		{"5", false},
		{"0950600013435X", false},
	} {
		if got := ValidCheckDigit(tc.in); got != tc.want {
			t.Errorf("ValidCheckDigit(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if got := CheckCharacterPair("1987654Ad4X4bL5ttr2310c"); got != "2K" {
		t.Errorf("CheckCharacterPair = %q, want 2K (GenSpecs 7.9.5 example)", got)
	}
	if CheckCharacterPair("a~") != "" || CheckCharacterPair(strings.Repeat("A", 24)) != "" {
		t.Error("CheckCharacterPair accepted what it cannot weigh")
	}
	if CheckDigit("12a") != 0 {
		t.Error("CheckDigit of a non-digit should be 0")
	}
}

func TestReject(t *testing.T) {
	const gs = "\x1d"
	for _, tc := range []struct {
		kind, in string
		code, ai string
		off      int
	}{
		{"raw", "]C199", CodeBadLength, "99", 5},
		{"raw", "]C10109506000134353", CodeBadCheckDigit, "01", 18},
		{"raw", "]C10109506000134352", "", "", 0},
		{"raw", "]C10109506000134", CodeBadLength, "01", 5},
		{"raw", "]C123X", CodeUnknownAI, "23", 3},
		{"raw", "]C10109506000134352" + "17251301", CodeBadDate, "17", 23},
		{"raw", "]C10109506000134352" + "17250230", CodeBadDate, "17", 25},
		{"raw", "]C10109506000134352" + "11240229", "", "", 0},
		{"raw", "]C10109506000134352" + "11250229", CodeBadDate, "11", 25},
		{"raw", "]C1" + "7006250100", CodeBadDate, "7006", 11},
		{"raw", "]C110AB~C", CodeBadCharset, "10", 7},
		{"raw", "]C110ABCDEFGHIJKLMNOPQRSTU", CodeBadLength, "10", 5},
		{"raw", "]C1800112345678901204" + "10ABC", CodeMissingSeparator, "8001", 21},
		{"raw", "]C110A" + gs + "10B", CodeDuplicateAI, "10", 7},
		{"raw", "]C110A" + gs + "10A", "", "", 0},
		{"raw", "]C10109506000134352" + "0209506000134352", CodeConflictingAI, "02", 19},
		{"raw", "]C10109506000134352" + "37" + "5", CodeConflictingAI, "37", 19},
		{"raw", "]C10109506000134352" + "3102000100" + "3103000010", CodeConflictingAI, "3103", 29},
		{"raw", "]C121A" + gs + "235B", CodeConflictingAI, "235", 7},
		{"raw", "]C1" + "3106000100", CodeUnknownAI, "3106", 3},
		{"raw", "]C0ABC", CodeNotGS1, "", 0},
		{"raw", "", CodeEmpty, "", 0},
		{"raw", "]C1", CodeEmpty, "", 3},
		{"raw", "]E05901234123458", CodeBadCheckDigit, "01", 15},
		{"raw", "]E059012341234", CodeBadLength, "01", 3},
		{"raw", "]C18010" + "a", CodeBadCharset, "8010", 7},
		{"raw", "]C1" + "7003250101" + "2460", CodeBadDate, "7003", 13},
		{"raw", "]C1" + "2539520123456789", CodeBadCheckDigit, "253", 18},
		{"raw", "]C1" + "8003" + "1" + "9520123456788", CodeBadValue, "8003", 7},
		{"raw", "]C1" + "8003" + "0" + "9520123456788" + "A1", "", "", 0},
		{"raw", "]C1" + "8006" + "09506000134352" + "0302", CodeBadValue, "8006", 21},
		{"raw", "]C1" + "8006" + "09506000134352" + "0203", "", "", 0},
		{"raw", "]C1" + "8001" + "0000" + "12345" + "123" + "1" + "0", CodeBadValue, "8001", 7},
		{"raw", "]C1" + "8001" + "1234" + "12345" + "123" + "2" + "0", CodeBadValue, "8001", 19},
		{"raw", "]C1" + "8001" + "1234" + "12345" + "123" + "9" + "0", "", "", 0},
		{"raw", "]C1" + "4330" + "000440" + "+", CodeBadValue, "4330", 13},
		{"raw", "]C1" + "4330" + "000440" + "-", "", "", 0},
		{"raw", "]C1" + "4321" + "2", CodeBadValue, "4321", 7},
		{"raw", "]C1" + "7011" + "251231" + "2", CodeBadLength, "7011", 13},
		{"raw", "]C1" + "7011" + "251231" + "2360", CodeBadDate, "7011", 13},
		{"raw", "]C1" + "7003" + "251231" + "2359", "", "", 0},
		{"raw", "]C1" + "8008" + "25123123" + "595", CodeBadLength, "8008", 7},
		{"raw", "]C1" + "4324" + "251200" + "0900", "", "", 0},
		{"raw", "]C1" + "8017" + "106141411234567897" + "\x1d", "", "", 0},
		{"raw", "]C1420A" + gs + "421528ABC", CodeConflictingAI, "421", 8},
		{"raw", "]C18017106141411234567897" + gs + "8018106141411234567897", CodeConflictingAI, "8018", 26},
		{"raw", "]C13950000100" + "\x1d" + "8005000100", CodeConflictingAI, "8005", 14},
		{"raw", "]C1" + "3950000100" + gs + "3922" + "5", CodeConflictingAI, "3922", 14},
		{"raw", "]C1" + "80131987654Ad4X4bL5ttr2310c2L", CodeBadCheckDigit, "8013", 30},
		{"raw", "]C1" + "8013" + "1", CodeBadLength, "8013", 7},
		{"raw", "]C1" + "8013" + "22", "", "", 0},
		{"hri", "(01)09506000134352(10)", CodeBadLength, "10", 22},
		{"hri", "(01)0950600013435", CodeBadLength, "01", 4},
		{"hri", "(999)1", CodeUnknownAI, "999", 1},
		{"hri", "01", CodeUnknownAI, "", 0},
		{"hri", "(17)250001", CodeBadDate, "17", 6},
		{"dl", "https://id.gs1.org/01/09506000134353", CodeBadCheckDigit, "01", 35},
		{"dl", "https://id.gs1.org/01/09506000134352/21/1/10/A", CodeBadURI, "10", 0},
		{"dl", "https://id.gs1.org/01/09506000134352?17=251301", CodeBadDate, "17", 42},
		{"dl", "https://id.gs1.org/01/09506000134352?999=1", CodeUnknownAI, "999", 37},
		{"dl", "https://id.gs1.org/foo/bar", CodeBadURI, "", 18},
		{"dl", "https://id.gs1.org/01/09506000134352/10/A/235/B", CodeBadURI, "235", 0},
		{"dl", "https://id.gs1.org/01/09506000134352/235/B", "", "", 0},
		{"dl", "https://id.gs1.org/414/9520123456788/7040/1ABC", "", "", 0},
		{"dl", "https://id.gs1.org/414/9520123456788/254/1/7040/1ABC", CodeBadURI, "7040", 0},
		{"dl", "ftp://id.gs1.org/01/09506000134352", CodeBadURI, "", 0},
		{"dl", "https://id.gs1.org/01/09506000134352/10/%zz", CodeBadURI, "10", 40},
		{"dl", "https://id.gs1.org/01/09506000134352/10/A%7EB", CodeBadCharset, "10", 41},
		{"dl", "https://id.gs1.org/01/9506000134353", CodeBadCheckDigit, "01", 34},
		{"dl", "https://id.gs1.org/01/09506000134352/10/A%4", CodeBadURI, "10", 41},
		{"dl", "https://id.gs1.org/01/09506000134352/10/%41%42~", CodeBadCharset, "10", 46},
		{"hri", `(10)A\(B~`, CodeBadCharset, "10", 8},
	} {
		var err error
		switch tc.kind {
		case "raw":
			_, err = Parse(tc.in)
		case "hri":
			_, err = ParseHRI(tc.in)
		case "dl":
			_, err = ParseDigitalLink(tc.in)
		}
		if tc.code == "" {
			if err != nil {
				t.Errorf("%s %q: unexpected error %v", tc.kind, tc.in, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s %q: error %v, want code %s", tc.kind, tc.in, err, tc.code)
			continue
		}
		if e.Code != tc.code || e.AI != tc.ai || (tc.off != 0 || tc.kind != "dl" || tc.code != CodeBadURI) && e.Offset != tc.off {
			t.Errorf("%s %q: got %s/%s@%d (%v), want %s/%s@%d", tc.kind, tc.in, e.Code, e.AI, e.Offset, err, tc.code, tc.ai, tc.off)
		}
		if !errors.Is(err, &Error{Code: tc.code}) {
			t.Errorf("%s %q: errors.Is by code failed", tc.kind, tc.in)
		}
	}
}

func TestHelpers(t *testing.T) {
	r, err := Parse("]C10109506000134352" + "17250200" + "3103001250" + "10LOT7\x1d" + "21S1\x1d" + "3922" + "1999")
	if err != nil {
		t.Fatal(err)
	}
	if g, _ := r.GTIN(); g != "09506000134352" {
		t.Errorf("GTIN = %s", g)
	}
	if l, _ := r.Lot(); l != "LOT7" {
		t.Errorf("Lot = %s", l)
	}
	if s, _ := r.Serial(); s != "S1" {
		t.Errorf("Serial = %s", s)
	}
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	if d, ok := r.Date("17", now); !ok || !d.Equal(time.Date(2025, 2, 28, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("expiry = %v %v, want 2025-02-28 (day 00 = last day)", d, ok)
	}
	if _, ok := r.Expiry(); !ok {
		t.Error("Expiry missing")
	}
	ms := r.Measures()
	if len(ms) != 2 || ms[0].Value.String() != "1.250" || ms[0].Unit != "kg" || ms[1].Value.String() != "19.99" {
		t.Errorf("Measures = %+v", ms)
	}
	if _, ok := r.SSCC(); ok {
		t.Error("SSCC present")
	}
	for _, tc := range []struct {
		yymmdd string
		now    time.Time
		want   string
	}{
		{"240200", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "2024-02-29"},
		{"761231", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "2076-12-31"},
		{"770101", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "1977-01-01"},
		{"010101", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), "2101-01-01"},
		{"500101", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), "2050-01-01"},
		{"510101", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), "1951-01-01"},
	} {
		d, ok := ResolveDate(tc.yymmdd, tc.now)
		if !ok || d.Format("2006-01-02") != tc.want {
			t.Errorf("ResolveDate(%s, %v) = %v, want %s", tc.yymmdd, tc.now, d, tc.want)
		}
	}
}

func TestJSONShape(t *testing.T) {
	r, err := Parse("]d20109506000134352")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r.Elements)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `[{"ai":"01","value":"09506000134352"}]` {
		t.Errorf("JSON = %s", b)
	}
}

func TestBuild(t *testing.T) {
	elems := []Element{{AI: "01", Value: "09506000134352"}, {AI: "10", Value: "AB(1)"}, {AI: "8001", Value: "12345678901204"}, {AI: "17", Value: "251200"}, {AI: "21", Value: "X"}}
	s, err := ElementString(elems, GS)
	if err != nil {
		t.Fatal(err)
	}
	if want := "0109506000134352" + "10AB(1)\x1d" + "800112345678901204\x1d" + "17251200" + "21X"; s != want {
		t.Errorf("ElementString = %q, want %q", s, want)
	}
	if h := HRI(elems); h != `(01)09506000134352(10)AB\(1)(8001)12345678901204(17)251200(21)X` {
		t.Errorf("HRI = %s", h)
	}
	dl, err := DigitalLink("https://id.example.com/", elems)
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://id.example.com/01/09506000134352/10/AB%281%29/21/X?8001=12345678901204&17=251200"; dl != want {
		t.Errorf("DigitalLink = %s, want %s", dl, want)
	}
	if _, err := ElementString(elems, '1'); err == nil {
		t.Error("a digit separator was accepted")
	}
	if _, err := ElementString([]Element{{AI: "01", Value: "1"}}, GS); !errors.Is(err, &Error{Code: CodeBadLength}) {
		t.Errorf("bad value: %v", err)
	}
	if _, err := DigitalLink("", []Element{{AI: "10", Value: "A"}}); err == nil {
		t.Error("a Digital Link without a primary key was built")
	}
}

func stripTitles(es []Element) []Element {
	out := make([]Element, len(es))
	for i, e := range es {
		out[i] = Element{AI: e.AI, Value: e.Value}
	}
	return out
}

const set82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`

func randDigits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func randX(r *rand.Rand, lo, hi int) string {
	b := make([]byte, lo+r.IntN(hi-lo+1))
	for i := range b {
		b[i] = set82[r.IntN(len(set82))]
	}
	return string(b)
}

func randDate(r *rand.Rand) string {
	mm := 1 + r.IntN(12)
	dd := r.IntN(29) // 00-28 is valid in every month and year
	return randDigits(r, 2) + string(rune('0'+mm/10)) + string(rune('0'+mm%10)) + string(rune('0'+dd/10)) + string(rune('0'+dd%10))
}

func randElements(r *rand.Rand) []Element {
	gtin := randDigits(r, 13)
	gtin += string(CheckDigit(gtin))
	es := []Element{{AI: "01", Value: gtin}}
	if r.IntN(2) == 0 {
		es = append(es, Element{AI: "17", Value: randDate(r)})
	}
	if r.IntN(2) == 0 {
		es = append(es, Element{AI: "10", Value: randX(r, 1, 20)})
	}
	if r.IntN(2) == 0 {
		es = append(es, Element{AI: "310" + string(rune('0'+r.IntN(6))), Value: randDigits(r, 6)})
	}
	if r.IntN(2) == 0 {
		gln := randDigits(r, 12)
		es = append(es, Element{AI: "414", Value: gln + string(CheckDigit(gln))})
	}
	if r.IntN(2) == 0 {
		es = append(es, Element{AI: "8001", Value: "1" + randDigits(r, 3) + "1" + randDigits(r, 4) + "1" + randDigits(r, 2) + string("019"[r.IntN(3)]) + randDigits(r, 1)})
	}
	if r.IntN(2) == 0 {
		es = append(es, Element{AI: "21", Value: randX(r, 1, 20)})
	}
	if r.IntN(3) == 0 {
		es = append(es, Element{AI: "11", Value: randDate(r)[:4] + "00"})
	}
	r.Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
	return es
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		es := randElements(r)
		s, err := ElementString(es, GS)
		if err != nil {
			t.Fatalf("ElementString(%v): %v", es, err)
		}
		for _, aim := range []string{"", "]C1", "]d2", "]Q3"} {
			got, err := Parse(aim + s)
			if err != nil {
				t.Fatalf("Parse(%q): %v", aim+s, err)
			}
			if !reflect.DeepEqual(stripTitles(got.Elements), es) {
				t.Fatalf("Parse(%q) = %v, want %v", aim+s, got.Elements, es)
			}
		}
		got, err := ParseHRI(HRI(es))
		if err != nil || !reflect.DeepEqual(stripTitles(got.Elements), es) {
			t.Fatalf("ParseHRI(%q) = %v, %v; want %v", HRI(es), got.Elements, err, es)
		}
		dl, err := DigitalLink("https://id.example.com/x", es)
		if err != nil {
			t.Fatalf("DigitalLink(%v): %v", es, err)
		}
		got, err = ParseDigitalLink(dl)
		if err != nil {
			t.Fatalf("ParseDigitalLink(%q): %v", dl, err)
		}
		if !sameElements(got.Elements, es) || got.Stem != "https://id.example.com/x" {
			t.Fatalf("ParseDigitalLink(%q) = %v stem %q, want %v", dl, got.Elements, got.Stem, es)
		}
	}
}

// sameElements compares as multisets: a Digital Link reorders the path AIs.
func sameElements(a, b []Element) bool {
	if len(a) != len(b) {
		return false
	}
	count := map[Element]int{}
	for _, e := range stripTitles(a) {
		count[e]++
	}
	for _, e := range stripTitles(b) {
		count[e]--
	}
	for _, c := range count {
		if c != 0 {
			return false
		}
	}
	return true
}

func BenchmarkParse(b *testing.B) {
	const data = "]C1" + "0109506000134352" + "17251231" + "10ABC123\x1d" + "21SN00042"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCheckAssociations(t *testing.T) {
	for _, tc := range []struct {
		hri  string
		miss string // the AI reported as missing its companion, "" for none
	}{
		{"(01)09506000134352(10)ABC(17)251231", ""},
		{"(10)ABC", "10"},
		{"(21)S1", "21"},
		{"(8006)095060001343520102(21)S1", ""},
		{"(00)106141411234567897(3300)000100(403)R1", ""},
		{"(3300)000100", "3300"},
		{"(02)09506000134352(37)10", "37"},
		{"(00)106141411234567897(02)09506000134352(37)10", ""},
		{"(01)09506000134352(3922)199", "3922"},
		{"(01)09506000134352(3103)000100(3922)199", ""},
		{"(00)106141411234567897(4302)STREET(4303)FLOOR", ""},
		{"(00)106141411234567897(4303)FLOOR", "4303"},
		{"(01)09506000134352(7004)12", "7004"},
		{"(01)09506000134352(10)A(7004)12", ""},
		{"(414)9520123456788(254)X", ""},
		{"(254)X", "254"},
		{"(01)09506000134352(3370)000100", ""},
		{"(00)106141411234567897(3370)000100", "3370"},
	} {
		r, err := ParseHRI(tc.hri)
		if err != nil {
			t.Fatalf("%s: %v", tc.hri, err)
		}
		err = CheckAssociations(r.Elements)
		var e *Error
		switch {
		case tc.miss == "" && err != nil:
			t.Errorf("%s: %v", tc.hri, err)
		case tc.miss != "" && (!errors.As(err, &e) || e.Code != CodeMissingAssociation || e.AI != tc.miss):
			t.Errorf("%s: error %v, want %s missing its association", tc.hri, err, tc.miss)
		}
	}
	for ai := range aiTable {
		counts := map[int]int{}
		least := 5
		for pat := range requires {
			if matchWild(pat, ai) {
				w := strings.Count(pat, "*")
				counts[w]++
				least = min(least, w)
			}
		}
		if counts[least] > 1 {
			t.Errorf("AI %s matches %d equally specific requirement patterns", ai, counts[least])
		}
	}
	for pat := range requires {
		found := false
		for ai := range aiTable {
			found = found || matchWild(pat, ai)
		}
		if !found {
			t.Errorf("requirement pattern %s matches no AI", pat)
		}
	}
}

func TestUPCE(t *testing.T) {
	for _, tc := range []struct{ upce, gtin string }{
		{"01234565", "00012345000065"}, // d6 = 5..9: 0 12345 0000 5
		{"04252614", "00042100005264"}, // d6 = 1: 0 42 1 0000 526
		{"01234133", "00012300000413"}, // d6 = 3: 0 123 00000 41
		{"01234145", "00012340000015"}, // d6 = 4: 0 1234 00000 1
	} {
		r, err := Parse("]E0" + tc.upce)
		if err != nil {
			t.Errorf("UPC-E %s: %v", tc.upce, err)
			continue
		}
		if g, _ := r.GTIN(); g != tc.gtin || r.Symbology != "UPC-E" {
			t.Errorf("UPC-E %s = %s (%s), want %s", tc.upce, g, r.Symbology, tc.gtin)
		}
	}
	if _, err := Parse("]E001234566"); !errors.Is(err, &Error{Code: CodeBadCheckDigit}) {
		t.Errorf("bad UPC-E check digit: %v", err)
	}
	if _, err := Parse("]E021234565"); !errors.Is(err, &Error{Code: CodeBadCharset}) {
		t.Errorf("UPC-E number system 2: %v", err)
	}
}
