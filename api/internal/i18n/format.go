package i18n

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A problem's detail is an English format with values ("only %d of %s
// available"); the format is the message id, and its translation must
// consume the same values with the same verbs, in any order (explicit
// indexes, %[2]s, let a language put them where its grammar wants them).
// A translation whose verbs differ would print %!d(string=...) or drop a
// value, so Sprintf keeps the English text instead, and a test of the
// catalogue names it (SameVerbs says why).

// Verbs is what format does with its arguments: for each argument it
// consumes (1-based index), the verb with its flags, width and precision;
// a * width or precision consumes an argument as "*". Formats that use one
// argument twice give it once per use, joined by "|".
func Verbs(format string) map[int]string {
	out := map[int]string{}
	arg := 1
	use := func(n int, v string) {
		if prev, ok := out[n]; ok {
			v = prev + "|" + v
		}
		out[n] = v
	}
	for i := 0; i < len(format); {
		if format[i] != '%' {
			i++
			continue
		}
		i++
		start := i
		// flags
		for i < len(format) && strings.IndexByte("+-# 0", format[i]) >= 0 {
			i++
		}
		flags := format[start:i]
		i, arg = index(format, i, arg)
		wstart := i
		// width
		if i < len(format) && format[i] == '*' {
			use(arg, "*")
			arg++
			i++
		} else {
			for i < len(format) && format[i] >= '0' && format[i] <= '9' {
				i++
			}
		}
		width := format[wstart:i]
		prec := ""
		if i < len(format) && format[i] == '.' {
			i++
			i, arg = index(format, i, arg)
			p := i
			if i < len(format) && format[i] == '*' {
				use(arg, "*")
				arg++
				i++
			} else {
				for i < len(format) && format[i] >= '0' && format[i] <= '9' {
					i++
				}
			}
			prec = "." + format[p:i]
		}
		i, arg = index(format, i, arg)
		if i >= len(format) {
			use(arg, "!(NOVERB)")
			break
		}
		r, size := utf8.DecodeRuneInString(format[i:])
		i += size
		if r == '%' {
			continue
		}
		use(arg, flags+width+prec+string(r))
		arg++
	}
	return out
}

// index reads an explicit argument index [n] at format[i:], if any.
func index(format string, i, arg int) (int, int) {
	if i >= len(format) || format[i] != '[' {
		return i, arg
	}
	end := strings.IndexByte(format[i:], ']')
	if end < 0 {
		return i, arg
	}
	n, err := strconv.Atoi(format[i+1 : i+end])
	if err != nil || n < 1 {
		return i, arg
	}
	return i + end + 1, n
}

// SameVerbs says whether translation consumes format's arguments the same
// way; when not, why, for the translator.
func SameVerbs(format, translation string) (bool, string) {
	want, got := Verbs(format), Verbs(translation)
	if len(want) == len(got) {
		same := true
		for n, v := range want {
			if got[n] != v {
				same = false
			}
		}
		if same {
			return true, ""
		}
	}
	return false, fmt.Sprintf("the English uses %s, the translation %s", describe(want), describe(got))
}

func describe(verbs map[int]string) string {
	if len(verbs) == 0 {
		return "no values"
	}
	var ns []int
	for n := range verbs {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	var parts []string
	for _, n := range ns {
		parts = append(parts, fmt.Sprintf("value %d as %%%s", n, verbs[n]))
	}
	return strings.Join(parts, ", ")
}

// Sprintf formats args into the translation of format for l; into the
// English format when l is English, the catalogue lacks it, or its
// translation consumes the values differently.
func (c *Catalog) Sprintf(l Lang, format string, args ...any) string {
	t := c.T(l, format)
	if t != format {
		if ok, _ := SameVerbs(format, t); !ok {
			t = format
		}
	}
	return fmt.Sprintf(t, args...)
}
