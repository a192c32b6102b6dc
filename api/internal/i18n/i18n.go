// Package i18n chooses the language of an answer and translates what the
// APIs show a person. English is the source language: each message is
// written in English in the code, and catalog/<lang>.json maps that
// English text to its translation, a flat JSON object a translator can
// edit without reading Go. A text a catalogue lacks stays English.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Lang is a language the APIs answer in, as a BCP 47 tag.
type Lang string

// The languages of DESIGN.md: English, Simplified and Traditional Chinese.
const (
	English            Lang = "en"
	SimplifiedChinese  Lang = "zh-Hans"
	TraditionalChinese Lang = "zh-Hant"
)

// Langs lists every language, English first.
var Langs = []Lang{English, SimplifiedChinese, TraditionalChinese}

//go:embed catalog/*.json
var files embed.FS

// Catalog holds the translations of every language but English.
type Catalog struct {
	texts map[Lang]map[string]string
}

// Load reads the embedded catalogues; a catalogue that is not a flat JSON
// object of strings fails, so a broken file is found by the first test.
func Load() (*Catalog, error) {
	c := &Catalog{texts: map[Lang]map[string]string{}}
	for _, l := range Langs[1:] {
		b, err := files.ReadFile("catalog/" + string(l) + ".json")
		if err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", l, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", l, err)
		}
		c.texts[l] = m
	}
	return c, nil
}

// MustLoad is Load for package initialisation of the APIs: the catalogues
// are embedded, so a failure is a build defect, not a runtime condition.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// T translates English text into l; text itself when l is English or
// the catalogue lacks it.
func (c *Catalog) T(l Lang, text string) string {
	if t, ok := c.texts[l][text]; ok && t != "" {
		return t
	}
	return text
}

// Missing lists, per language, the texts of want its catalogue lacks.
func (c *Catalog) Missing(want []string) map[Lang][]string {
	out := map[Lang][]string{}
	for _, l := range Langs[1:] {
		for _, w := range want {
			if c.texts[l][w] == "" {
				out[l] = append(out[l], w)
			}
		}
		sort.Strings(out[l])
	}
	return out
}

// Negotiate picks the language for an Accept-Language header (RFC 9110
// §12.5.4): the supported language of the highest weight, the first of
// equal weights, English when none is supported. Chinese ranges map by
// script, and by region where the script is not named: zh-TW, zh-HK and
// zh-MO read Traditional, zh, zh-CN and zh-SG Simplified.
func Negotiate(header string) Lang {
	best, bestQ := English, -1.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0 // a weight the RFC does not allow: not acceptable
				}
				q = f
			}
		}
		l, ok := match(strings.TrimSpace(tag))
		if ok && q > 0 && q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}

// match maps one language range to a supported language.
func match(tag string) (Lang, bool) {
	subs := strings.Split(strings.ToLower(tag), "-")
	switch subs[0] {
	case "*", "en":
		return English, true
	case "zh":
		for _, s := range subs[1:] {
			switch s {
			case "hant", "tw", "hk", "mo":
				return TraditionalChinese, true
			case "hans", "cn", "sg":
				return SimplifiedChinese, true
			}
		}
		return SimplifiedChinese, true
	}
	return "", false
}

// catalogs loads the embedded catalogues once. It holds no state that
// changes: the files are part of the binary.
var catalogs = sync.OnceValue(MustLoad)

// Default is the embedded catalogues.
func Default() *Catalog { return catalogs() }
