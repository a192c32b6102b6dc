package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// app is one invocation: where input comes from and output goes, the
// environment, and the connection settings the commands share.
type app struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	conn           connFlags
}

const (
	defaultServer  = "http://127.0.0.1:8080"
	defaultTimeout = 30 * time.Second
)

// connFlags are --server, --token and --timeout. They may be given before
// the command (shared) or after it; the environment fills in what neither
// set, after parsing, so "-h" never prints a token taken from it.
type connFlags struct {
	server, token string
	timeout       time.Duration
}

func (c *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.server, "server", c.server, "depotd's base URL (env PARTSEDGE_SERVER, default "+defaultServer+")")
	fs.StringVar(&c.token, "token", c.token, "API bearer token (env PARTSEDGE_TOKEN, then PARTSEDGE_ADMIN_TOKEN)")
	fs.DurationVar(&c.timeout, "timeout", c.timeout, "how long to wait for depotd (default 30s)")
}

// client resolves the settings and returns the API client the commands use.
// defTimeout applies when --timeout was not given.
func (a *app) client(defTimeout time.Duration) (*client, error) {
	c := a.conn
	c.server = firstNonEmpty(c.server, a.getenv("PARTSEDGE_SERVER"), defaultServer)
	c.token = firstNonEmpty(c.token, a.getenv("PARTSEDGE_TOKEN"), a.getenv("PARTSEDGE_ADMIN_TOKEN"))
	if c.timeout == 0 {
		c.timeout = defTimeout
	}
	if c.timeout < 0 {
		return nil, badInput("--timeout must be positive")
	}
	return newClient(c.server, c.token, c.timeout)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// flagSet is a command's flags plus what its usage says.
type flagSet struct {
	fs                  *flag.FlagSet
	a                   *app
	name, args, summary string
	format              *string  // --format, when the command has it
	formats             []string // the values --format allows
}

func (a *app) newFlags(name, args, summary string) *flagSet {
	fs := flag.NewFlagSet("depotctl "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{fs: fs, a: a, name: name, args: args, summary: summary}
}

// connFlags adds --server, --token and --timeout to a command that calls depotd.
func (f *flagSet) connFlags() { f.a.conn.register(f.fs) }

// addFormat adds --format with the values allowed, the first being the
// default; parse checks the value given.
func (f *flagSet) addFormat(allowed ...string) *string {
	f.formats = allowed
	f.format = f.fs.String("format", allowed[0], "output: "+orList(allowed))
	return f.format
}

func (f *flagSet) printUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: depotctl %s %s\n", f.name, f.args)
	if f.summary != "" {
		fmt.Fprintf(w, "\n%s\n", f.summary)
	}
	n := 0
	f.fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintf(w, "\nflags:\n")
		f.fs.SetOutput(w)
		f.fs.PrintDefaults()
		f.fs.SetOutput(io.Discard)
	}
}

// parse parses flags and positional arguments in any order ("--" ends the
// flags) and checks the number of positional arguments (max < 0: any).
func (f *flagSet) parse(args []string, minArgs, maxArgs int) ([]string, error) {
	var pos []string
	for {
		if err := f.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.printUsage(f.a.stdout)
				return nil, errHelpShown
			}
			return nil, f.usageError("%v", err)
		}
		rest := f.fs.Args()
		if len(rest) == 0 {
			break
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	switch {
	case f.format != nil && !slices.Contains(f.formats, *f.format):
		return nil, f.usageError("--format must be %s, not %q", orList(f.formats), *f.format)
	case len(pos) < minArgs:
		return nil, f.usageError("missing arguments: usage: depotctl %s %s", f.name, f.args)
	case maxArgs >= 0 && len(pos) > maxArgs:
		return nil, f.usageError("unexpected argument %q", pos[maxArgs])
	}
	return pos, nil
}

// isSet reports whether a flag was given on the command line.
func (f *flagSet) isSet(name string) bool {
	set := false
	f.fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	return set
}

func (f *flagSet) usageError(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...) + fmt.Sprintf("\n(run 'depotctl %s -h' for usage)", f.name)}
}

// orList writes "a, b or c".
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// subcommand splits "parts list ..." into the subcommand and its arguments,
// printing the group's usage for -h or a missing subcommand.
func (a *app) subcommand(group string, args []string, subs [][2]string) (string, []string, error) {
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "usage: depotctl %s SUBCOMMAND [flags]\n\nsubcommands:\n", group)
		t := &table{}
		for _, s := range subs {
			t.add("  "+s[0], s[1])
		}
		t.write(w)
		fmt.Fprintf(w, "\nRun 'depotctl %s SUBCOMMAND -h' for its flags.\n", group)
	}
	if len(args) == 0 {
		usage(a.stderr)
		return "", nil, &exitError{code: 2, msg: "missing subcommand for " + group}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(a.stdout)
		return "", nil, errHelpShown
	}
	for _, s := range subs {
		if strings.Fields(s[0])[0] == args[0] {
			return args[0], args[1:], nil
		}
	}
	return "", nil, &exitError{code: 2, msg: fmt.Sprintf("unknown subcommand %q for %s (run 'depotctl %s -h')", args[0], group, group)}
}

// exitError ends depotctl with a code and, unless msg is empty, a message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// badInput is a refusal of what the user gave: exit 2.
func badInput(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

// errHelpShown ends a run that printed usage because it was asked for.
var errHelpShown = errors.New("help shown")

// exit reports err on stderr and returns the process's exit code.
func (a *app) exit(err error) int {
	if err == nil || errors.Is(err, errHelpShown) {
		return 0
	}
	var ee *exitError
	var ae *apiError
	var ie *inventory.Error
	switch {
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintf(a.stderr, "depotctl: %s\n", ee.msg)
		}
		return ee.code
	case errors.As(err, &ae):
		fmt.Fprintf(a.stderr, "depotctl: %s\n", ae.Error())
		switch ae.Status {
		case 401:
			fmt.Fprintln(a.stderr, "depotctl: hint: pass a valid token with --token or PARTSEDGE_TOKEN")
		case 403:
			fmt.Fprintln(a.stderr, "depotctl: hint: this token's role may not do that (users, verify and backup need admin)")
		}
		return ae.exitCode()
	case errors.As(err, &ie):
		// A refusal by the store itself (offline commands) reads like the API's.
		fmt.Fprintf(a.stderr, "depotctl: %s\n", problemLine(string(ie.Code), ie.Msg, ie.Field))
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(a.stderr, "depotctl: interrupted")
		return 1
	default:
		fmt.Fprintf(a.stderr, "depotctl: %v\n", err)
		return 1
	}
}

func problemLine(code, detail, field string) string {
	s := code + ": " + detail
	if field != "" {
		s += " (" + field + ")"
	}
	return s
}

// readInput reads a file named by the user, "-" being stdin.
func (a *app) readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(a.stdin)
	}
	b, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, badInput("%s: no such file", name)
	}
	return b, err
}

// decodeStrict decodes one JSON value into v, refusing unknown fields (a
// typo such as "gtin" would otherwise be dropped silently) and trailing data.
func decodeStrict(name string, b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badInput("%s is not valid JSON for this command: %v", name, jsonErr(b, err))
	}
	if dec.More() {
		return badInput("%s holds more than one JSON value", name)
	}
	return nil
}

// jsonErr adds the line and column to a syntax error.
func jsonErr(b []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(b)) {
		return err
	}
	line := 1 + bytes.Count(b[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(b[:off], '\n'))
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}
