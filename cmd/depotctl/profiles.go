package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/partsedge/partsedge/devices/manager"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

func (a *app) profiles(name string, args []string) error {
	if len(args) == 0 {
		return badInput("%s: say list, show ID or lint [FILE|DIR ...]", name)
	}
	switch args[0] {
	case "list":
		return a.profilesList(name+" list", args[1:])
	case "show":
		return a.profilesShow(name+" show", args[1:])
	case "lint":
		return a.profilesLint(name+" lint", args[1:])
	}
	return badInput("%s: unknown subcommand %q (list, show, lint)", name, args[0])
}

func (a *app) profilesList(name string, args []string) error {
	fs := a.newFlags(name, "[--format table|json]", "List the firmware profiles built into depotd.")
	format := fs.addFormat("table", "json")
	if _, err := fs.parse(args, 0, 0); err != nil {
		return err
	}
	set, err := profiles.Builtin()
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(a.stdout, set.All())
	}
	t := &table{head: []string{"ID", "KIND", "VENDOR", "MODEL", "CODEC", "TRANSPORT"}}
	for _, p := range set.All() {
		t.add(p.ID, string(p.Kind), p.Vendor, p.Model, p.Codec, p.Transport.Type)
	}
	return t.write(a.stdout)
}

func (a *app) profilesShow(name string, args []string) error {
	fs := a.newFlags(name, "ID", "Show one built-in firmware profile in its YAML form: a start for a depot's own profile.")
	pos, err := fs.parse(args, 1, 1)
	if err != nil {
		return err
	}
	set, err := profiles.Builtin()
	if err != nil {
		return err
	}
	p, ok := set.Get(pos[0])
	if !ok {
		return badInput("%s: no profile %q (depotctl profiles list shows them)", name, pos[0])
	}
	out, err := yaml.Marshal(p)
	if err != nil {
		return err
	}
	_, err = a.stdout.Write(out)
	return err
}

// profilesLint checks profile files before they go onto a depot: each one
// alone (schema, values, codec fit) and all of them together (no id twice).
// Without arguments it checks the profiles built into this binary.
func (a *app) profilesLint(name string, args []string) error {
	fs := a.newFlags(name, "[FILE|DIR ...]",
		"Check firmware profile files: every key known, every value in range, the codec able to speak\n"+
			"the transport and framing, ids unique. A folder means every *.yaml in it. Without arguments,\n"+
			"checks the profiles built into this binary. Prints each problem as FILE: FIELD: MESSAGE and\n"+
			"exits 2 when there is any.")
	pos, err := fs.parse(args, 0, -1)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		set, err := profiles.Builtin()
		if err != nil {
			return badInput("%v", err)
		}
		fmt.Fprintf(a.stdout, "ok: %d built-in profiles\n", len(set.All()))
		return nil
	}
	var files []string
	for _, p := range pos {
		st, err := os.Stat(p)
		if err != nil {
			return badInput("%s: %v", name, err)
		}
		if st.IsDir() {
			m, err := filepath.Glob(filepath.Join(p, "*.yaml"))
			if err != nil {
				return err
			}
			if len(m) == 0 {
				return badInput("%s: no *.yaml in %s", name, p)
			}
			files = append(files, m...)
			continue
		}
		files = append(files, p)
	}
	var problems profiles.Problems
	ids := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return badInput("%s: %v", name, err)
		}
		p, err := profiles.Parse(f, data)
		var ps profiles.Problems
		if errors.As(err, &ps) {
			problems = append(problems, ps...)
			continue
		}
		if other, dup := ids[p.ID]; dup {
			problems = append(problems, profiles.Problem{File: f, Field: "id", Msg: strconv.Quote(p.ID) + " is also the id in " + other})
			continue
		}
		ids[p.ID] = f
	}
	for _, p := range problems {
		fmt.Fprintln(a.stdout, p.Error())
	}
	if len(problems) > 0 {
		return &exitError{code: 2, msg: fmt.Sprintf("%d problems in %d files", len(problems), len(files))}
	}
	fmt.Fprintf(a.stdout, "ok: %d profiles\n", len(files))
	return nil
}

// devices lists the depot's scanners and readers as depotd sees them.
func (a *app) devices(name string, args []string) error {
	fs := a.newFlags(name, "[--format table|json]",
		"Show the depot's scanners and readers: state, where they are plugged, counters and the last\n"+
			"error; and USB serial devices plugged in that no profile matches.")
	fs.connFlags()
	format := fs.addFormat("table", "json")
	if _, err := fs.parse(args, 0, 0); err != nil {
		return err
	}
	c, err := a.client(defaultTimeout)
	if err != nil {
		return err
	}
	raw, err := c.get(a.ctx, "/api/v1/devices", nil)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeRawJSON(a.stdout, raw)
	}
	var list struct {
		Items     []manager.Status    `json:"items"`
		Unmatched []manager.Unmatched `json:"unmatched"`
	}
	if err := decodeAnswer("/api/v1/devices", raw, &list); err != nil {
		return err
	}
	t := &table{head: []string{"ID", "STATE", "PROFILE", "WHERE", "STATION", "FRAMES", "BAD", "RECONNECTS", "LAST ERROR"}}
	for _, s := range list.Items {
		t.add(s.ID, string(s.State), s.Profile, s.Where, orDash(s.Station), strconv.FormatUint(s.Frames, 10),
			strconv.FormatUint(s.BadFrames, 10), strconv.FormatUint(s.Reconnects, 10), orDash(s.LastError))
	}
	if err := t.write(a.stdout); err != nil {
		return err
	}
	for _, u := range list.Unmatched {
		fmt.Fprintf(a.stdout, "no profile matches %s (usb %s:%s %s %s)\n", u.Path, u.VID, u.PID, u.Manufacturer, u.Product)
	}
	return nil
}
