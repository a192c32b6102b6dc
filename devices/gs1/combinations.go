package gs1

// invalidPairs are the combinations GenSpecs 4.14.1 ("Invalid pairs of element strings") forbids
// on one item, as the GS1 Barcode Syntax Dictionary's ex= keys restate them: each names a pair of
// AIs, or a family of 4-digit AIs by its 3-digit stem and '*'.
var invalidPairs = [][2]string{
	{"01", "02"}, // a trade item is not also the content of a logistic unit
	{"01", "37"}, // a count of contained items goes with 02
	{"01", "255"},
	{"02", "255"},
	{"21", "235"}, // TPX replaces the serial number
	{"255", "415"},
	{"255", "8006"},
	{"255", "8020"},
	{"255", "8026"},
	{"390*", "391*"},
	{"390*", "394*"},
	{"390*", "8111"},
	{"392*", "393*"},
	{"394*", "8111"},
	{"395*", "392*"},
	{"395*", "393*"},
	{"395*", "8005"},
	{"420", "421"},
	{"421", "4307"},
	{"422", "426"},
	{"423", "426"},
	{"424", "426"},
	{"425", "426"},
	{"4330", "4331"},
	{"4332", "4333"},
	{"7250", "7251"}, // date of birth, with or without the time
	{"7253", "7256"}, // a full name replaces its parts
	{"7254", "7256"},
	{"7255", "7256"},
	{"7253", "7259"}, // a newborn's name is given by 7259 alone
	{"7254", "7259"},
	{"7255", "7259"},
	{"7259", "7256"},
	{"8006", "01"},
	{"8006", "37"},
	{"8017", "8018"},
	{"8026", "02"},
	{"8026", "8006"},
}

func matchesPattern(pat, ai string) bool {
	if n := len(pat); n > 0 && pat[n-1] == '*' {
		return len(ai) == n && ai[:n-1] == pat[:n-1]
	}
	return ai == pat
}

// checkCombinations applies GenSpecs 4.14: the same AI twice must carry the same value, the
// same measure may not appear with two decimal positions, and the invalid pairs are refused.
func checkCombinations(elems []Element, offs []int) error {
	for j := 1; j < len(elems); j++ {
		b := elems[j]
		for i := 0; i < j; i++ {
			a := elems[i]
			if a.AI == b.AI {
				if a.Value != b.Value {
					return errf(CodeDuplicateAI, b.AI, offs[j], "AI %s already appeared with another value", b.AI)
				}
				continue
			}
			if len(a.AI) == 4 && len(b.AI) == 4 && a.AI[:3] == b.AI[:3] && a.AI[0] == '3' {
				return errf(CodeConflictingAI, b.AI, offs[j], "AI %s repeats the measure or amount of AI %s", b.AI, a.AI)
			}
			for _, p := range invalidPairs {
				if matchesPattern(p[0], a.AI) && matchesPattern(p[1], b.AI) ||
					matchesPattern(p[1], a.AI) && matchesPattern(p[0], b.AI) {
					return errf(CodeConflictingAI, b.AI, offs[j], "AI %s may not appear with AI %s", b.AI, a.AI)
				}
			}
		}
	}
	return nil
}
