package problem

import (
	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/inventory"
)

// maxTagEcho bounds the tag a refusal repeats back: BCP 47 advises
// supporting tags of up to 35 characters.
const maxTagEcho = 35

// CheckLang is tag as a user's language preference (en, zh-Hans, zh-Hant,
// or "" to follow the browser), or both APIs' refusal of it.
func CheckLang(tag string) (i18n.Lang, error) {
	l, ok := i18n.Preference(tag)
	if !ok && len(tag) > maxTagEcho {
		// Not echoed: a megabyte of "language" helps nobody read the answer.
		return "", inventory.Errorf(inventory.CodeInvalid, "lang", "is not a language: use en, zh-Hans, zh-Hant, or \"\" to follow the browser")
	}
	if !ok {
		return "", inventory.Errorf(inventory.CodeInvalid, "lang", "%q is not a language: use en, zh-Hans, zh-Hant, or \"\" to follow the browser", tag)
	}
	return l, nil
}
