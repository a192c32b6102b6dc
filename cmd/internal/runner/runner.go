// Package runner is the process shell depotd and hqd share: signals, the
// soft memory limit, the version, and reading the settings with their
// help and exit codes (0 for -h and -version, 2 for bad settings).
package runner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/partsedge/partsedge/cmd/internal/config"
)

// Run is a daemon without the process around it: it returns the exit code.
type Run func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int

// Main runs run as the process. Unless GOMEMLIMIT is set it sets a soft
// memory limit: Badger's compaction garbage would otherwise double the heap.
// SIGINT or SIGTERM cancels run's context; a second one kills the process
// the default way.
func Main(memoryLimit int64, run Run) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Version is the version linked in with -ldflags "-X main.version=...",
// else the module's, else "dev".
func Version(linked string) string {
	if linked != "" {
		return linked
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Settings reads name's settings (flags > environment > config file). When
// it returns done, the daemon exits with code: after -h or -version (0) or
// bad settings (2, said on stderr).
func Settings(name, defaultListen, version string, args []string, getenv func(string) string, stdout, stderr io.Writer) (cfg config.Config, code int, done bool) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	showVersion := fs.Bool("version", false, "print "+name+"'s version and exit")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [flags]\n\nEvery flag can also be set by its environment variable or in the config file.\n\n", name)
		fs.PrintDefaults()
	}
	cfg, err := config.Load(fs, args, getenv, config.Defaults(defaultListen))
	switch {
	case errors.Is(err, flag.ErrHelp):
		return cfg, 0, true
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return cfg, 2, true
	case *showVersion:
		fmt.Fprintln(stdout, name, Version(version))
		return cfg, 0, true
	}
	return cfg, 0, false
}
