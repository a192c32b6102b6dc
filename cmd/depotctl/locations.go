package main

import (
	"github.com/partsedge/partsedge/inventory"
)

func (a *app) locations(name string, args []string) error {
	sub, args, err := a.subcommand(name, args, [][2]string{
		{"list", "list locations in code order"},
		{"get CODE", "show one location"},
		{"put -f FILE", "define or update locations from a JSON file (an object or an array; - is stdin)"},
	})
	if err != nil {
		return err
	}
	name += " " + sub
	switch sub {
	case "list":
		return a.locationsList(name, args)
	case "put":
		return a.locationsPut(name, args)
	}
	return a.locationsGet(name, args)
}

func locationCells(l inventory.Location) []string {
	return []string{l.Code, string(l.Kind), l.Zone, l.Description}
}

func locationHead() []string { return []string{"CODE", "KIND", "ZONE", "DESCRIPTION"} }

func (a *app) locationsList(name string, args []string) error {
	return runCatalogList(a, name, args, catalogList[inventory.Location]{
		resource: "locations", key: "CODE", noun: "location code", summary: "List locations in code order.",
		keyOf: func(l inventory.Location) string { return l.Code }, head: locationHead(), cells: locationCells,
	})
}

func (a *app) locationsGet(name string, args []string) error {
	fs := a.newFlags(name, "CODE [--format table|json]", "Show one location.")
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
	path := apiPath("locations", pos[0])
	raw, err := c.get(a.ctx, path, nil)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeRawJSON(a.stdout, raw)
	}
	var l inventory.Location
	if err := decodeAnswer(path, raw, &l); err != nil {
		return err
	}
	t := &table{head: locationHead()}
	t.add(locationCells(l)...)
	return t.write(a.stdout)
}

func (a *app) locationsPut(name string, args []string) error {
	return putCommand(a, name, args, "locations", "location", "CODE", func(l inventory.Location) string { return l.Code },
		"Define locations, or update them, from a JSON file holding one location or an array of them,\n"+
			"for example {\"code\":\"A-01\",\"kind\":\"stock\",\"zone\":\"A\"}. Kinds: stock, quarantine, defective,\n"+
			"transit, van. FILE - reads stdin. The first refusal stops the rest.")
}
