package epc

import (
	"encoding/json"
	"strconv"
)

// Element is one GS1 element string: an application identifier and its
// value, in the JSON shape of the CLI contract.
type Element struct {
	AI    string `json:"ai"`
	Value string `json:"value"`
}

// Elements is the GS1 key the tag carries, as element strings: AI 01 + 21
// for SGTIN, 00 for SSCC, 8003 for GRAI, 8004 for GIAI. Check digits are
// computed, since the EPC leaves them out.
func (t Tag) Elements() []Element {
	switch t.Kind {
	case KindSGTIN:
		return []Element{{"01", t.GTIN()}, {"21", t.Serial}}
	case KindSSCC:
		return []Element{{"00", t.SSCC()}}
	case KindGRAI:
		// AI 8003 is a 14-digit GRAI (a leading zero, prefix, asset type,
		// check digit) followed directly by the serial.
		b := make([]byte, 0, 14+len(t.Serial))
		b = append(b, '0')
		b = append(b, t.CompanyPrefix...)
		b = append(b, t.Reference...)
		b = appendCheckDigit(b)
		b = append(b, t.Serial...)
		return []Element{{"8003", string(b)}}
	case KindGIAI:
		return []Element{{"8004", t.CompanyPrefix + t.Serial}}
	}
	return nil
}

// GTIN is the GTIN-14 of an SGTIN: the indicator digit moves back in front
// of the company prefix and the check digit is appended.
func (t Tag) GTIN() string {
	if t.Kind != KindSGTIN || t.Reference == "" {
		return ""
	}
	return keyWithLeadDigit(t)
}

// SSCC is the 18-digit SSCC: the extension digit moves in front of the
// company prefix and the check digit is appended.
func (t Tag) SSCC() string {
	if t.Kind != KindSSCC || t.Reference == "" {
		return ""
	}
	return keyWithLeadDigit(t)
}

func keyWithLeadDigit(t Tag) string {
	b := make([]byte, 0, 18)
	b = append(b, t.Reference[0])
	b = append(b, t.CompanyPrefix...)
	b = append(b, t.Reference[1:]...)
	return string(appendCheckDigit(b))
}

// appendCheckDigit appends the GS1 mod-10 check digit: weights 3 and 1
// alternate from the rightmost data digit.
func appendCheckDigit(b []byte) []byte {
	return append(b, checkDigit(b))
}

func checkDigit(digits []byte) byte {
	sum, w := 0, 3
	for i := len(digits) - 1; i >= 0; i-- {
		sum += int(digits[i]-'0') * w
		w = 4 - w
	}
	return byte('0' + (10-sum%10)%10)
}

// FromGS1 builds an SGTIN tag from a GTIN-14 and serial (AIs 01 and 21). The
// EPC needs the company prefix length, which a GTIN does not reveal, so the
// caller supplies it. The serial picks the scheme: SGTIN-96 when it is a
// number the 96-bit integer field holds exactly, SGTIN-198 otherwise, which
// is the choice TDS recommends.
func FromGS1(gtin14, serial string, companyPrefixLen, filter int) (Tag, error) {
	if len(gtin14) != 14 || !allDigits(gtin14) {
		return Tag{}, fail(BadReference, "gtin", strconv.Quote(gtin14)+" is not 14 digits")
	}
	if want := checkDigit([]byte(gtin14[:13])); gtin14[13] != want {
		return Tag{}, fail(BadCheckDigit, "gtin", "check digit is "+gtin14[13:]+", expected "+string(want))
	}
	if companyPrefixLen < 6 || companyPrefixLen > 12 {
		return Tag{}, fail(BadCompanyPrefix, "companyPrefix", "length "+strconv.Itoa(companyPrefixLen)+" is not in the SGTIN partition table (6-12)")
	}
	t := Tag{
		Kind:          KindSGTIN,
		CompanyPrefix: gtin14[1 : 1+companyPrefixLen],
		Reference:     gtin14[:1] + gtin14[1+companyPrefixLen:13],
		Serial:        serial,
	}
	scheme := SGTIN198
	if checkInteger(serial, 38, "serial", SGTIN96) == nil {
		scheme = SGTIN96
	}
	return t.EncodeAs(scheme, filter)
}

// MarshalJSON gives the CLI contract's object: the decoded fields, both URIs,
// the binary form when the tag has a scheme, and the GS1 elements.
func (t Tag) MarshalJSON() ([]byte, error) {
	type view struct {
		Scheme              Scheme    `json:"scheme,omitempty"`
		Kind                Kind      `json:"kind"`
		Filter              *int      `json:"filter,omitempty"`
		FilterMeaning       string    `json:"filterMeaning,omitempty"`
		Partition           int       `json:"partition"`
		CompanyPrefix       string    `json:"companyPrefix"`
		CompanyPrefixDigits int       `json:"companyPrefixDigits"`
		Reference           string    `json:"reference,omitempty"`
		Serial              string    `json:"serial,omitempty"`
		TagURI              string    `json:"tagUri,omitempty"`
		PureURI             string    `json:"pureUri"`
		Hex                 string    `json:"hex,omitempty"`
		Elements            []Element `json:"elements"`
	}
	v := view{
		Scheme: t.Scheme, Kind: t.Kind, Partition: t.Partition(),
		CompanyPrefix: t.CompanyPrefix, CompanyPrefixDigits: len(t.CompanyPrefix),
		Reference: t.Reference, Serial: t.Serial,
		TagURI: t.TagURI(), PureURI: t.PureURI(), Elements: t.Elements(),
	}
	if t.Scheme != "" {
		f := t.Filter
		v.Filter = &f
		v.FilterMeaning = t.FilterMeaning()
		h, err := t.Hex()
		if err != nil {
			return nil, err
		}
		v.Hex = h
	}
	return json.Marshal(v)
}

// FilterMeaning is what the TDS filter value table for the tag's kind says
// the filter value denotes (TDS 1.13 section 10: Tables 10-1 SGTIN, 10-2
// SSCC, 10-5 GRAI, 10-6 GIAI). Readers use the filter to select, say, only
// unit loads; the depot UI shows the meaning beside the number.
func (t Tag) FilterMeaning() string {
	if t.Scheme == "" || t.Filter < 0 || t.Filter > 7 {
		return ""
	}
	if t.Filter == 0 {
		return "All Others"
	}
	switch t.Kind {
	case KindSGTIN:
		switch t.Filter {
		case 1:
			return "Point of Sale (POS) Trade Item"
		case 2:
			return "Full Case for Transport"
		case 4:
			return "Inner Pack Trade Item Grouping for Handling"
		case 6:
			return "Unit Load"
		case 7:
			return "Unit inside Trade Item or component inside a product not intended for individual sale"
		}
	case KindSSCC:
		switch t.Filter {
		case 2:
			return "Full Case for Transport"
		case 6:
			return "Unit Load"
		}
	case KindGIAI:
		if t.Filter == 1 {
			return "Rail Vehicle"
		}
	}
	return "Reserved"
}
