package main

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/partsedge/partsedge/inventory"
)

func (a *app) parts(name string, args []string) error {
	sub, args, err := a.subcommand(name, args, [][2]string{
		{"list", "list parts in SKU order"},
		{"get SKU", "show one part"},
		{"lookup CODE", "find the part a barcode, GTIN or alias names"},
		{"put -f FILE", "define or update parts from a JSON file (an object or an array; - is stdin)"},
	})
	if err != nil {
		return err
	}
	name += " " + sub
	switch sub {
	case "list":
		return a.partsList(name, args)
	case "put":
		return a.partsPut(name, args)
	}
	return a.partsGet(name, sub, args)
}

func (a *app) partsList(name string, args []string) error {
	return runCatalogList(a, name, args, catalogList[inventory.Part]{
		resource: "parts", key: "SKU", noun: "SKU", summary: "List parts in SKU order.",
		keyOf: func(p inventory.Part) string { return p.SKU },
		head:  []string{"SKU", "TRACKING", "UNIT", "SUPERSEDED BY", "CODES", "DESCRIPTION"},
		cells: func(p inventory.Part) []string {
			return []string{p.SKU, string(p.Tracking), p.Unit, p.SupersededBy, strings.Join(append(p.GTINs, p.Aliases...), ","), p.Description}
		},
	})
}

func (a *app) partsGet(name, sub string, args []string) error {
	what, path := "SKU", func(s string) (string, url.Values) { return apiPath("parts", s), nil }
	summary := "Show one part."
	if sub == "lookup" {
		what, summary = "CODE", "Find the part a scanned or typed code names: its SKU, a GTIN (any length) or an alias."
		path = func(s string) (string, url.Values) { return apiPath("parts", "lookup"), url.Values{"code": {s}} }
	}
	fs := a.newFlags(name, what+" [--format table|json]", summary)
	fs.connFlags()
	format := fs.addFormat("table", "json")
	pos, err := fs.parse(args, 1, 1)
	if err != nil {
		return err
	}
	c, err := a.client(defaultTimeout)
	if err != nil {
		return err
	}
	p, q := path(pos[0])
	raw, err := c.get(a.ctx, p, q)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeRawJSON(a.stdout, raw)
	}
	var part inventory.Part
	if err := decodeAnswer(p, raw, &part); err != nil {
		return err
	}
	t := &table{}
	t.add("sku", part.SKU)
	t.add("description", part.Description)
	t.add("unit", part.Unit)
	t.add("tracking", string(part.Tracking))
	t.add("gtins", strings.Join(part.GTINs, ", "))
	t.add("aliases", strings.Join(part.Aliases, ", "))
	if part.ShelfLifeDays > 0 {
		t.add("shelf life", fmt.Sprintf("%d days", part.ShelfLifeDays))
	}
	t.add("superseded by", part.SupersededBy)
	return t.write(a.stdout)
}

func (a *app) partsPut(name string, args []string) error {
	return putCommand(a, name, args, "parts", "part", "SKU", func(p inventory.Part) string { return p.SKU },
		"Define parts, or update their definitions, from a JSON file holding one part or an array of\n"+
			"them, for example {\"sku\":\"P1\",\"description\":\"Fan\",\"unit\":\"ea\",\"tracking\":\"serial\",\"gtins\":[\"04012345678901\"]}.\n"+
			"FILE - reads stdin. Parts are posted in order; the first refusal stops the rest.")
}
