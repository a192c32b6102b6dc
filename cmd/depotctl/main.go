// Command depotctl is the Partsedge command line: it talks to depotd's HTTP
// API (stock, parts, locations, events, users, online verify and backup) and
// works on a stopped depot's data folder (offline verify, backup, restore).
//
// Run "depotctl help" for the commands. Exit codes: 0 success, 1 a failure
// (server unreachable, 5xx, I/O, verify found problems), 2 bad input (unknown
// command or flag, missing arguments, a file that is not valid JSON, or the
// server refusing the request with 400, 404, 409, 413 or 422).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runContext(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run is depotctl without the process around it: tests call it in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	return runContext(context.Background(), args, stdin, stdout, stderr, env)
}

func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	if env == nil {
		env = func(string) string { return "" }
	}
	a := &app{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: env}
	return a.exit(a.main(args))
}

// command is one entry of "depotctl help".
type command struct {
	name, args, summary string
	run                 func(a *app, name string, args []string) error
}

func commands() []command {
	return []command{
		{"status", "", "show the depot, its log head (seq, epoch, hash) and depotd's version", (*app).status},
		{"stock", "[--sku S] [--location L] [--lot X] [--serial N] [--as-of SEQ]", "list stock balances", (*app).stock},
		{"parts", "list|get SKU|lookup CODE|put -f FILE", "the parts catalogue", (*app).parts},
		{"locations", "list|get CODE|put -f FILE", "the depot's locations", (*app).locations},
		{"events", "[--after SEQ] [--limit N] [SEQ]", "read the event log", (*app).events},
		{"post", "-f FILE | TYPE --ref R --line sku=P1,qty=5,to=A-01 ...", "append a stock event", (*app).post},
		{"serial", "SKU SERIAL", "where a serial number has been", (*app).serial},
		{"users", "list|add NAME --role ROLE|token NAME", "API users and their tokens", (*app).users},
		{"verify", "[--data DIR]", "check the log's chain and the balances it implies", (*app).verify},
		{"backup", "-o FILE [--data DIR]", "write a backup of the store", (*app).backup},
		{"restore", "--data DIR FILE", "create a store from a backup (offline)", (*app).restore},
		{"decode", "[--aim ID] DATA", "decode a scanned GS1 barcode (element string, (AI) form or Digital Link)", (*app).decode},
		{"epc", "HEX|URI", "decode an RFID tag's EPC (binary hex, tag URI or pure identity URI)", (*app).epc},
		{"devices", "", "the depot's scanners and readers and their state", (*app).devices},
		{"profiles", "list|show ID|lint [FILE|DIR ...]", "firmware profiles: list the built-in ones, check profile files", (*app).profiles},
		{"version", "", "print depotctl's version", (*app).versionCmd},
	}
}

func (a *app) main(args []string) error {
	fs := a.newFlags("", "COMMAND [flags] [args]", "")
	var showVersion bool
	fs.fs.BoolVar(&showVersion, "version", false, "print depotctl's version and exit")
	a.conn.register(fs.fs)
	// Flags before the command are shared by every command; stop at the
	// command's name so its own flags reach it.
	if err := fs.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.usage(a.stdout)
			return errHelpShown
		}
		a.usage(a.stderr)
		return &exitError{code: 2, msg: err.Error()}
	}
	if showVersion {
		fmt.Fprintln(a.stdout, "depotctl", version())
		return nil
	}
	rest := fs.fs.Args()
	if len(rest) == 0 {
		a.usage(a.stderr)
		return &exitError{code: 2, msg: "no command given"}
	}
	name, rest := rest[0], rest[1:]
	if name == "help" {
		return a.help(rest)
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(a, c.name, rest)
		}
	}
	return &exitError{code: 2, msg: fmt.Sprintf("unknown command %q (run 'depotctl help' for the list)", name)}
}

func (a *app) help(args []string) error {
	if len(args) == 0 {
		a.usage(a.stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(a, c.name, append(args[1:], "-h"))
		}
	}
	return &exitError{code: 2, msg: fmt.Sprintf("unknown command %q (run 'depotctl help' for the list)", args[0])}
}

func (a *app) usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("usage: depotctl [--server URL] [--token T] COMMAND [flags] [args]\n\ncommands:\n")
	t := &table{}
	for _, c := range commands() {
		t.add("  "+c.name, c.summary)
	}
	t.write(&b)
	b.WriteString(`
Run 'depotctl COMMAND -h' for a command's flags.

environment:
  PARTSEDGE_SERVER       depotd's base URL (default ` + defaultServer + `)
  PARTSEDGE_TOKEN        the API bearer token; PARTSEDGE_ADMIN_TOKEN is used when it is unset
  PARTSEDGE_DATA         the data folder restore creates when --data is not given

exit codes: 0 success, 1 failure (unreachable, server error, I/O, verify found problems),
2 bad input (usage, invalid JSON, the server refusing the request with 400/404/409/413/422).
`)
	io.WriteString(w, b.String())
}

func (a *app) versionCmd(name string, args []string) error {
	fs := a.newFlags(name, "", "print depotctl's version")
	if _, err := fs.parse(args, 0, 0); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "depotctl", version())
	return nil
}

// version comes from the build: the module version, and the VCS revision
// when built from a checkout.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
			if len(rev) > 12 {
				rev = rev[:12]
			}
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev != "" {
		v += " " + rev + dirty
	}
	return v
}
