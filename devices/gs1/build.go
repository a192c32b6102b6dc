package gs1

import (
	"fmt"
	"strings"
)

// ElementString encodes elems as one GS1 element string, validating each value. sep is what
// stands for FNC1 between fields, normally GS; it goes only after a value that is neither of
// predefined length nor the last, as GenSpecs 7.8.5 requires.
func ElementString(elems []Element, sep byte) (string, error) {
	if inSet82(sep) {
		return "", fmt.Errorf("gs1: separator %q is a data character", sep)
	}
	if len(elems) == 0 {
		return "", errf(CodeEmpty, "", 0, "no elements")
	}
	var b strings.Builder
	offs := make([]int, len(elems))
	for i, e := range elems {
		def, ok := aiTable[e.AI]
		if !ok {
			return "", errf(CodeUnknownAI, e.AI, b.Len(), "no such application identifier")
		}
		offs[i] = b.Len()
		b.WriteString(e.AI)
		if err := validateValue(def, e.Value, b.Len()); err != nil {
			return "", err
		}
		b.WriteString(e.Value)
		if i < len(elems)-1 && !def.Predefined {
			b.WriteByte(sep)
		}
	}
	if err := checkCombinations(elems, offs); err != nil {
		return "", err
	}
	return b.String(), nil
}

// HRI writes elems in the bracketed human readable form of GenSpecs 4.15, e.g.
// (01)09506000134352(10)ABC. A '(' inside a value is written as `\(`, since a bare '(' would
// start the next AI when read back; '\' is outside set 82, so the escape is unambiguous.
func HRI(elems []Element) string {
	var b strings.Builder
	for _, e := range elems {
		b.WriteByte('(')
		b.WriteString(e.AI)
		b.WriteByte(')')
		b.WriteString(strings.ReplaceAll(e.Value, "(", `\(`))
	}
	return b.String()
}

// ParseHRI reads the bracketed form that HRI writes; `\(` stands for a literal '('.
func ParseHRI(s string) (Result, error) {
	if s == "" {
		return Result{}, errf(CodeEmpty, "", 0, "no data")
	}
	var elems []Element
	var offs []int
	pos := 0
	for pos < len(s) {
		if s[pos] != '(' {
			return Result{}, errf(CodeUnknownAI, "", pos, "expected '(' to open an AI")
		}
		end := strings.IndexByte(s[pos:], ')')
		if end < 0 {
			return Result{}, errf(CodeUnknownAI, unknownAIText(s[pos+1:]), pos+1, "AI is not closed by ')'")
		}
		ai := s[pos+1 : pos+end]
		def, ok := aiTable[ai]
		if !ok {
			return Result{}, errf(CodeUnknownAI, ai, pos+1, "no such application identifier")
		}
		vs := pos + end + 1
		var v strings.Builder
		var at []int
		i := vs
		for i < len(s) && s[i] != '(' {
			if s[i] == '\\' && i+1 < len(s) && s[i+1] == '(' {
				i++
			}
			v.WriteByte(s[i])
			at = append(at, i)
			i++
		}
		if len(at) == 0 {
			at = append(at, vs)
		}
		if err := validateAt(def, v.String(), at, i); err != nil {
			return Result{}, err
		}
		elems = append(elems, Element{AI: ai, Value: v.String(), Title: def.Title})
		offs = append(offs, pos)
		pos = i
	}
	if err := checkCombinations(elems, offs); err != nil {
		return Result{}, err
	}
	return Result{Elements: elems}, nil
}
