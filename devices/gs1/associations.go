package gs1

import "strings"

// CodeMissingAssociation marks an AI whose mandatory companion AI is absent (GenSpecs 4.14.2).
const CodeMissingAssociation = "missing_association"

const (
	withTradeItem = "01,02,8006,8026"
	withMeasure   = "30,31**,32**,35**,36**"
)

// requires are GenSpecs 4.14.2 ("Mandatory association of element strings") as the GS1 Barcode
// Syntax Dictionary's req= keys restate them. Each key is an AI, or a pattern where '*' stands
// for any digit; each requirement is a list of alternatives of which one must be present, and an
// AI with several requirements needs all of them.
var requires = map[string][]string{
	"02": {"37"}, "10": {withTradeItem}, "11": {withTradeItem}, "12": {"8020"}, "13": {withTradeItem},
	"15": {withTradeItem}, "16": {withTradeItem}, "17": {"01,02,255,8006,8026"}, "20": {withTradeItem},
	"21": {"01,8006"}, "22": {"01"}, "235": {"01"}, "240": {withTradeItem}, "241": {withTradeItem},
	"242": {withTradeItem}, "243": {"01"}, "250": {"01,8006", "21"}, "251": {"01,8006"}, "254": {"414"},
	"30":   {"01,02"},
	"310*": {"01,02"}, "311*": {"01,02"}, "312*": {"01,02"}, "313*": {"01,02"}, "314*": {"01,02"},
	"315*": {"01,02"}, "316*": {"01,02"}, "32**": {"01,02"},
	"33**": {"00,01"}, "337*": {"01"}, "34**": {"00,01"},
	"350*": {"01,02"}, "351*": {"01,02"}, "352*": {"01,02"}, "353*": {"00,01"}, "354*": {"00,01"},
	"355*": {"00,01"}, "356*": {"01,02"}, "357*": {"01,02"}, "360*": {"01,02"}, "361*": {"01,02"},
	"362*": {"00,01"}, "363*": {"00,01"}, "364*": {"01,02"}, "365*": {"01,02"}, "366*": {"01,02"},
	"367*": {"00,01"}, "368*": {"00,01"}, "369*": {"00,01"},
	"37":   {"00", "02,8026"},
	"390*": {"255,8020"}, "391*": {"8020"}, "392*": {"01", withMeasure}, "393*": {withMeasure},
	"394*": {"255"}, "395*": {withMeasure},
	"403": {"00"}, "415": {"8020"}, "422": {withTradeItem}, "423": {"01,02"}, "424": {"01,02"},
	"425": {"01,02"}, "426": {"01,02"}, "427": {"01,02", "422"},
	"43**": {"00"}, "4303": {"4302"}, "4313": {"4312"},
	"7001": {withTradeItem}, "700*": {"01,02"}, "7004": {"01", "10"}, "7010": {"01,02"},
	"7011": {"01,02"}, "7020": {"01,8006", "416"}, "7021": {"01,8006"}, "7022": {"7021"},
	"703*": {"01,02"}, "71*": {"01"}, "723*": {"01,8004"}, "7240": {"01,8006"}, "7241": {"8017,8018"},
	"7242": {"8017,8018"}, "7041": {"00"}, "7250": {"8018"}, "7251": {"8018"}, "7252": {"8018"},
	"7253": {"8017,8018"}, "7254": {"8017,8018"}, "7255": {"8017,8018"}, "7256": {"8017,8018"},
	"7257": {"8018"}, "7258": {"8018", "7259"}, "7259": {"8018"}, "8014": {"01"},
	"8001": {"01"}, "8005": {"01,02"}, "8007": {"415"}, "8008": {"01,02"}, "8009": {"00,01"},
	"8011": {"8010"}, "8012": {"01,8006"}, "8019": {"8017,8018"}, "8020": {"415"}, "8026": {"37"},
	"8111": {"255"}, "8200": {"01"},
}

func matchWild(pat, ai string) bool {
	if len(pat) != len(ai) {
		return false
	}
	for i := 0; i < len(pat); i++ {
		if pat[i] != '*' && pat[i] != ai[i] {
			return false
		}
	}
	return true
}

// CheckAssociations applies the mandatory associations of GenSpecs 4.14.2 to elems. Parse does
// not, on purpose: the rules hold for all the data on an item, and one scan is often only one of
// its labels (a lot sticker next to the EAN-13). Callers pass the elements of every carrier of
// the item together. The error's Offset is the index of the element in elems.
func CheckAssociations(elems []Element) error {
	has := func(alts string) bool {
		for _, alt := range strings.Split(alts, ",") {
			for _, e := range elems {
				if matchWild(alt, e.AI) {
					return true
				}
			}
		}
		return false
	}
	for i, e := range elems {
		for _, alts := range requirementsOf(e.AI) {
			if !has(alts) {
				return errf(CodeMissingAssociation, e.AI, i, "AI %s requires one of AIs %s", e.AI, alts)
			}
		}
	}
	return nil
}

// requirementsOf picks the most specific entry for ai, so 4303 or 3370 follow their own rule
// and not that of their family.
func requirementsOf(ai string) []string {
	best, wild := "", len(ai)+1
	for pat := range requires {
		if matchWild(pat, ai) {
			if w := strings.Count(pat, "*"); w < wild {
				best, wild = pat, w
			}
		}
	}
	return requires[best]
}
