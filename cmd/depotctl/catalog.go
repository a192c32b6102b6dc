package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/partsedge/partsedge/inventory"
)

// This file holds what "parts" and "locations" share: reading definitions
// from a file and posting them.

// readDefinitions reads one JSON object or an array of them from a file.
func readDefinitions[T any](a *app, file string) ([]T, error) {
	b, err := a.readInput(file)
	if err != nil {
		return nil, err
	}
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		var items []T
		if err := decodeStrict(file, b, &items); err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return nil, badInput("%s holds an empty list", file)
		}
		return items, nil
	}
	var item T
	if err := decodeStrict(file, b, &item); err != nil {
		return nil, err
	}
	return []T{item}, nil
}

// defined is depotd's answer to a definition: the stored item and its event.
type defined struct {
	raw   json.RawMessage
	key   string
	event inventory.Event
}

// putDefinitions posts each item in order, each under its own
// Idempotency-Key, and stops at the first refusal.
func putDefinitions[T any](a *app, c *client, path, what string, items []T, key func(T) string) ([]defined, error) {
	var done []defined
	for _, it := range items {
		b, _, err := c.post(a.ctx, path, it, newKey())
		if err != nil {
			if len(items) > 1 {
				fmt.Fprintf(a.stderr, "depotctl: %d of %d %ss defined; stopped at %s %q\n", len(done), len(items), what, what, key(it))
			}
			return done, err
		}
		var ans struct {
			Event inventory.Event `json:"event"`
		}
		if err := decodeAnswer(path, b, &ans); err != nil {
			return done, err
		}
		done = append(done, defined{raw: b, key: key(it), event: ans.Event})
	}
	return done, nil
}

func writeDefined(a *app, format, keyHead string, done []defined) error {
	if len(done) == 0 {
		return nil
	}
	if format == "json" {
		if len(done) == 1 {
			return writeRawJSON(a.stdout, done[0].raw)
		}
		raws := make([]json.RawMessage, len(done))
		for i, d := range done {
			raws[i] = d.raw
		}
		return writeJSON(a.stdout, raws)
	}
	t := &table{head: []string{keyHead, "EVENT"}, right: []bool{false, true}}
	for _, d := range done {
		t.add(d.key, strconv.FormatUint(d.event.Seq, 10))
	}
	return t.write(a.stdout)
}

// putCommand is "parts put" and "locations put": read definitions of T from
// -f FILE, post them in order to resource, and list what was defined.
func putCommand[T any](a *app, name string, args []string, resource, noun, keyTitle string, key func(T) string, help string) error {
	fs := a.newFlags(name, "-f FILE [--format table|json]", help)
	fs.connFlags()
	file := fs.fs.String("f", "", "the JSON `FILE` (- for stdin)")
	format := fs.addFormat("table", "json")
	if _, err := fs.parse(args, 0, 0); err != nil {
		return err
	}
	if *file == "" {
		return fs.usageError("-f FILE is required")
	}
	defs, err := readDefinitions[T](a, *file)
	if err != nil {
		return err
	}
	c, err := a.client(defaultTimeout)
	if err != nil {
		return err
	}
	done, err := putDefinitions(a, c, apiPath(resource), noun, defs, key)
	if werr := writeDefined(a, *format, keyTitle, done); werr != nil && err == nil {
		err = werr
	}
	return err
}
