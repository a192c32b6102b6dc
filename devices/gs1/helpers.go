package gs1

import (
	"strconv"
	"strings"
	"time"
)

// Get returns the value of the first element with the given AI.
func (r Result) Get(ai string) (string, bool) {
	for _, e := range r.Elements {
		if e.AI == ai {
			return e.Value, true
		}
	}
	return "", false
}

// GTIN is AI 01 as 14 digits.
func (r Result) GTIN() (string, bool) { return r.Get("01") }

// Lot is AI 10, the batch or lot number.
func (r Result) Lot() (string, bool) { return r.Get("10") }

// Serial is AI 21.
func (r Result) Serial() (string, bool) { return r.Get("21") }

// SSCC is AI 00, the logistic unit (pallet, transfer shipment) identifier.
func (r Result) SSCC() (string, bool) { return r.Get("00") }

// Expiry is AI 17 as a date, its century chosen relative to today (GenSpecs 7.12).
func (r Result) Expiry() (time.Time, bool) { return r.Date("17", time.Now()) }

// Date returns a YYMMDD AI (11-17, 7006, the first date of 7007) as a UTC date. The century is
// the one GenSpecs 7.12 picks relative to now, and day 00 means the last day of the month.
func (r Result) Date(ai string, now time.Time) (time.Time, bool) {
	v, ok := r.Get(ai)
	def := aiTable[ai]
	if !ok || def.Date == NoDate || len(v) < 6 {
		return time.Time{}, false
	}
	return ResolveDate(v[:6], now)
}

// ResolveDate turns YYMMDD into a date. GenSpecs 7.12: a YY 51 or more years ahead of now's
// belongs to the previous century, one 50 or more years behind to the next. DD 00 is the last
// day of the month.
func ResolveDate(yymmdd string, now time.Time) (time.Time, bool) {
	if len(yymmdd) != 6 {
		return time.Time{}, false
	}
	for i := 0; i < 6; i++ {
		if yymmdd[i] < '0' || yymmdd[i] > '9' {
			return time.Time{}, false
		}
	}
	yy, mm, dd := two(yymmdd, 0), two(yymmdd, 2), two(yymmdd, 4)
	if mm < 1 || mm > 12 {
		return time.Time{}, false
	}
	cur := now.Year()
	century := cur / 100
	switch diff := yy - cur%100; {
	case diff >= 51:
		century--
	case diff <= -50:
		century++
	}
	year := century*100 + yy
	if dd == 0 {
		return time.Date(year, time.Month(mm)+1, 0, 0, 0, 0, 0, time.UTC), true
	}
	t := time.Date(year, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if t.Day() != dd {
		return time.Time{}, false
	}
	return t, true
}

// Decimal is an exact decimal number: Units × 10^-Scale. Measures stay exact because the
// ledger never uses floats.
type Decimal struct {
	Units int64
	Scale int
}

func (d Decimal) String() string {
	neg := d.Units < 0
	u := d.Units
	if neg {
		u = -u
	}
	s := strconv.FormatInt(u, 10)
	if d.Scale > 0 {
		if len(s) <= d.Scale {
			s = strings.Repeat("0", d.Scale-len(s)+1) + s
		}
		s = s[:len(s)-d.Scale] + "." + s[len(s)-d.Scale:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Measure is a trade or logistic measure (AIs 310n-369n) or an amount (390n-394n).
type Measure struct {
	AI       string
	Title    string
	Value    Decimal
	Unit     string // empty for amounts
	Currency string // ISO 4217 numeric code for 391n and 393n
}

// Measures returns every element that carries an implied decimal point.
func (r Result) Measures() []Measure {
	var out []Measure
	for _, e := range r.Elements {
		def := aiTable[e.AI]
		if def.Decimals < 0 {
			continue
		}
		m := Measure{AI: e.AI, Title: def.Title, Unit: def.Unit}
		digits := e.Value
		if len(def.Parts) == 2 { // 391n, 393n: ISO 4217 currency first
			m.Currency, digits = digits[:3], digits[3:]
		}
		u, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			continue // unreachable for validated data: at most 15 digits fit int64
		}
		m.Value = Decimal{Units: u, Scale: def.Decimals}
		out = append(out, m)
	}
	return out
}
