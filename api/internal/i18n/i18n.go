// Package i18n chooses the language of an answer and translates what the
// APIs and the web screens show a person. English is the source language:
// each message is written in English in the code, and the files in
// catalog/<lang>/ map that English text to its translation, each a flat
// JSON object a translator can edit without reading Go. The files of a
// language are one catalogue split by area (problems, screens, reports)
// so that people working on different areas don't edit the same file. A
// text a catalogue lacks stays English.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
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

//go:embed catalog
var files embed.FS

// Catalog holds the translations of every language but English.
type Catalog struct {
	texts map[Lang]map[string]string
}

// Load reads the embedded catalogues. A file that is not a flat JSON
// object of strings fails, and so does a text two files of one language
// translate differently, so a broken catalogue is found by the first test.
func Load() (*Catalog, error) { return load(files) }

func load(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{texts: map[Lang]map[string]string{}}
	for _, l := range Langs[1:] {
		dir := "catalog/" + string(l)
		names, err := fs.Glob(fsys, dir+"/*.json")
		if err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", l, err)
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("catalogue %s: no files in %s", l, dir)
		}
		all := map[string]string{}
		from := map[string]string{}
		for _, name := range names {
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("catalogue %s: %w", l, err)
			}
			m := map[string]string{}
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("catalogue %s: %w", name, err)
			}
			for k, v := range m {
				if prev, ok := all[k]; ok && prev != v {
					return nil, fmt.Errorf("catalogue %s: %q is %q in %s and %q in %s", l, k, prev, from[k], v, name)
				}
				all[k], from[k] = v, name
			}
		}
		c.texts[l] = all
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

// Texts is the whole catalogue of l (English text to translation), for the
// web screens, which translate in the browser. English has none: its
// texts are the keys themselves.
func (c *Catalog) Texts(l Lang) map[string]string { return c.texts[l] }

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

// Preference reads a user's stored or requested language: one of the
// tags of Langs exactly, or "" for none (follow the browser). Anything
// else is not a preference: a screen must not store a tag the APIs would
// silently answer in English.
func Preference(tag string) (Lang, bool) {
	if tag == "" {
		return "", true
	}
	for _, l := range Langs {
		if string(l) == tag {
			return l, true
		}
	}
	return "", false
}
