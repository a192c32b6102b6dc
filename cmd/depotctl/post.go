package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/partsedge/partsedge/inventory"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, " ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func (a *app) post(name string, args []string) error {
	fs := a.newFlags(name, "-f FILE | TYPE [--ref R] [--note N] --line KEY=VALUE,... [--line ...]",
		"Append one event. The body comes from a JSON file ({\"type\",\"ref\",\"note\",\"lines\":[...]}, - is stdin)\n"+
			"or from the quick form: TYPE is one of "+strings.Join(lineTypes(), ", ")+".\n\n"+
			"A --line is comma-separated KEY=VALUE pairs; keys: sku, qty, from, to, location, lot,\n"+
			"expiry (YYYY-MM-DD), serials (separated by ;), condition (good|defective), fromReserved (true|false).\n"+
			"qty defaults to the number of serials. A backslash makes the next character literal (\\, \\; \\= \\\\).\n"+
			"  depotctl post receipt --ref PO-1 --line sku=P1,qty=5,to=A-01\n"+
			"  depotctl post issue --ref WO-7 --line sku=P3,from=A-01,serials=S1;S2\n\n"+
			"Each post carries an Idempotency-Key: with no --key a random one is made and printed on stderr.\n"+
			"Posting again with the same key repeats the first answer and appends nothing.")
	fs.connFlags()
	file := fs.fs.String("f", "", "the command as a JSON `FILE` (- for stdin)")
	key := fs.fs.String("key", "", "the Idempotency-Key (default: a new random key)")
	ref := fs.fs.String("ref", "", "the document the event belongs to (PO, work order, transfer, count)")
	note := fs.fs.String("note", "", "a free-text note")
	var lines stringList
	fs.fs.Var(&lines, "line", "one line of the event (repeatable)")
	dryRun := fs.fs.Bool("dry-run", false, "print the JSON body and send nothing")
	format := fs.addFormat("table", "json")
	pos, err := fs.parse(args, 0, 1)
	if err != nil {
		return err
	}
	cmd, err := buildCommand(fs, pos, *file, *ref, *note, lines)
	if err != nil {
		return err
	}
	if len(*key) > inventory.MaxIdempotencyKeyLen {
		return fs.usageError("--key is longer than %d bytes", inventory.MaxIdempotencyKeyLen)
	}
	if *dryRun {
		return writeJSON(a.stdout, cmd)
	}
	c, err := a.client(defaultTimeout)
	if err != nil {
		return err
	}
	if *key == "" {
		*key = newKey()
		fmt.Fprintf(a.stderr, "depotctl: idempotency key %s (to retry safely: --key %s)\n", *key, *key)
	}
	path := apiPath("events")
	b, replayed, err := c.post(a.ctx, path, cmd, *key)
	if err != nil {
		return err
	}
	var ans struct {
		Event inventory.Event `json:"event"`
	}
	if err := decodeAnswer(path, b, &ans); err != nil {
		return err
	}
	if replayed {
		fmt.Fprintf(a.stderr, "depotctl: key %s was used before: this is event %d as first appended; nothing new was written\n", *key, ans.Event.Seq)
	}
	if *format == "json" {
		return writeRawJSON(a.stdout, b)
	}
	return writeEvent(a, &ans.Event)
}

// buildCommand makes the body from the file or from the quick form.
func buildCommand(fs *flagSet, pos []string, file, ref, note string, lines []string) (inventory.Command, error) {
	var cmd inventory.Command
	if file != "" {
		if len(pos) > 0 || ref != "" || note != "" || len(lines) > 0 {
			return cmd, fs.usageError("-f FILE takes the whole command: give no TYPE, --ref, --note or --line with it")
		}
		b, err := fs.a.readInput(file)
		if err != nil {
			return cmd, err
		}
		if err := decodeStrict(file, b, &cmd); err != nil {
			return cmd, err
		}
		if cmd.Type == "" {
			return cmd, badInput("%s has no \"type\"", file)
		}
		return cmd, nil
	}
	if len(pos) == 0 {
		return cmd, fs.usageError("give -f FILE, or TYPE and --line")
	}
	cmd.Type = inventory.EventType(pos[0])
	if !slices.Contains(lineTypes(), pos[0]) {
		hint := ""
		if cmd.Type == inventory.EvPartDefined || cmd.Type == inventory.EvLocationDefined {
			hint = " (define parts and locations with 'depotctl parts put' and 'depotctl locations put')"
		}
		return cmd, fs.usageError("unknown event type %q: one of %s%s", pos[0], strings.Join(lineTypes(), ", "), hint)
	}
	if len(lines) == 0 {
		return cmd, fs.usageError("at least one --line is required")
	}
	cmd.Ref, cmd.Note = ref, note
	for i, s := range lines {
		l, err := parseLine(s)
		if err != nil {
			return cmd, fs.usageError("--line %d: %v", i+1, err)
		}
		cmd.Lines = append(cmd.Lines, l)
	}
	return cmd, nil
}

// lineTypes are the event types that carry lines.
func lineTypes() []string {
	var out []string
	for _, t := range inventory.EventTypes {
		if t != inventory.EvPartDefined && t != inventory.EvLocationDefined {
			out = append(out, string(t))
		}
	}
	return out
}

// parseLine reads "sku=P1,qty=5,to=A-01,serials=S1;S2". Which fields an
// event type needs is depotd's to check; this checks the form.
func parseLine(s string) (inventory.Line, error) {
	var l inventory.Line
	if strings.TrimSpace(s) == "" {
		return l, fmt.Errorf("is empty")
	}
	fields, err := splitEscaped(s, ',')
	if err != nil {
		return l, err
	}
	seen := map[string]bool{}
	qtySet := false
	for _, f := range fields {
		kv, err := splitEscaped(f, '=')
		if err != nil {
			return l, err
		}
		if len(kv) < 2 {
			return l, fmt.Errorf("%q is not KEY=VALUE", unescape(f))
		}
		if len(kv) > 2 {
			return l, fmt.Errorf("%q has more than one '=' (write \\= for a literal one)", unescape(f))
		}
		key, raw := strings.TrimSpace(unescape(kv[0])), kv[1]
		canon, ok := lineKeys()[strings.ToLower(key)]
		if !ok {
			return l, fmt.Errorf("unknown key %q (keys: sku, qty, from, to, location, lot, expiry, serials, condition, fromReserved)", key)
		}
		if seen[canon] {
			return l, fmt.Errorf("%s is given twice", canon)
		}
		seen[canon] = true
		val := unescape(raw)
		if val == "" {
			return l, fmt.Errorf("%s has no value", canon)
		}
		switch canon {
		case "sku":
			l.SKU = val
		case "qty":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return l, fmt.Errorf("qty %q is not a whole number", val)
			}
			if n == 0 {
				return l, fmt.Errorf("qty must not be zero")
			}
			l.Qty, qtySet = n, true
		case "from":
			l.From = val
		case "to":
			l.To = val
		case "location":
			l.Location = val
		case "lot":
			l.Lot = val
		case "expiry":
			if _, ok := inventory.ParseDate(val); !ok {
				return l, fmt.Errorf("expiry %q is not a YYYY-MM-DD date", val)
			}
			l.Expiry = val
		case "serials":
			parts, err := splitEscaped(raw, ';')
			if err != nil {
				return l, err
			}
			for _, p := range parts {
				sn := unescape(p)
				if sn == "" {
					return l, fmt.Errorf("serials has an empty entry")
				}
				if slices.Contains(l.Serials, sn) {
					return l, fmt.Errorf("serial %q is listed twice", sn)
				}
				l.Serials = append(l.Serials, sn)
			}
		case "condition":
			if val != inventory.ConditionGood && val != inventory.ConditionDefective {
				return l, fmt.Errorf("condition must be %s or %s, not %q", inventory.ConditionGood, inventory.ConditionDefective, val)
			}
			l.Condition = val
		case "fromReserved":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return l, fmt.Errorf("fromReserved %q is not true or false", val)
			}
			l.FromReserved = b
		}
	}
	if l.SKU == "" {
		return l, fmt.Errorf("sku is required")
	}
	if !qtySet {
		if len(l.Serials) == 0 {
			return l, fmt.Errorf("qty is required (or serials, which set it)")
		}
		l.Qty = int64(len(l.Serials))
	}
	return l, nil
}

// lineKeys maps each key, lower-cased, to its spelling.
func lineKeys() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"sku", "qty", "from", "to", "location", "lot", "expiry", "serials", "condition", "fromReserved"} {
		m[strings.ToLower(k)] = k
	}
	return m
}

// splitEscaped splits s at each sep not preceded by a backslash, keeping the
// escapes in the parts (unescape removes them).
func splitEscaped(s string, sep byte) ([]string, error) {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 == len(s) {
				return nil, fmt.Errorf("%q ends with a lone backslash", s)
			}
			i++
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:]), nil
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
