// Command partsedge-demo runs the whole of Partsedge on one machine (what
// `make run` starts): hqd with the embedded MQTT broker, two depots
// (DEMO-1 and DEMO-2) with demo data that differs enough for HQ's planning
// to have stock to balance, and for each depot a simulated barcode scanner
// and RFID reader (devsim on pseudo-terminals) that the depot reads as
// serial devices. It prints the URLs, the tokens and the broker's address,
// waits until HQ holds both depots' logs, and runs until Ctrl-C (SIGINT)
// or SIGTERM, then stops the depots, the devices and hqd in that order.
//
//	partsedge-demo --bin bin --data data/demo
//
// Everything lives under --data: HQ's and the depots' stores, the broker's
// users file (random passwords, written on the first run), the devices'
// links and each process's log in logs/. A second run carries on with the
// same data; the seeding replays instead of writing twice.
//
// Exit codes: 0 after a clean stop, 1 when something failed to start or
// stopped on its own, 2 for bad flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("partsedge-demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := Options{}
	var depotListen string
	exe, _ := os.Executable()
	fs.StringVar(&o.Data, "data", "data/demo", "the demo's `folder`")
	fs.StringVar(&o.Bin, "bin", filepath.Dir(exe), "the `folder` holding hqd, depotd and devsim")
	fs.StringVar(&o.HQListen, "hq-listen", "127.0.0.1:8090", "hqd's HTTP `address`")
	fs.StringVar(&o.MQTTListen, "mqtt-listen", "127.0.0.1:1883", "the embedded broker's `address` (in hqd)")
	fs.StringVar(&depotListen, "depot-listen", "127.0.0.1:8080,127.0.0.1:8081", "the depots' HTTP `addresses`, comma-separated, in the order "+strings.Join(Depots, ", "))
	fs.StringVar(&o.Token, "token", "demo-admin-token-change-me", "the admin `token` of hqd and of every depot (at least 16 characters)")
	fs.DurationVar(&o.Timeout, "timeout", time.Minute, "how long each process may take to start or stop")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "partsedge-demo: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	o.DepotListen = strings.Split(depotListen, ",")
	if len(o.DepotListen) != len(Depots) {
		fmt.Fprintf(stderr, "partsedge-demo: --depot-listen wants %d addresses, one per depot\n", len(Depots))
		return 2
	}
	if len(o.Token) < 16 {
		fmt.Fprintln(stderr, "partsedge-demo: the token must be at least 16 characters")
		return 2
	}

	fmt.Fprintf(stdout, "Starting the Partsedge demo in %s (logs in %s) ...\n", o.Data, filepath.Join(o.Data, "logs"))
	d, err := Start(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "partsedge-demo: %v\n", err)
		return 1
	}
	printSummary(stdout, d, o)

	code := 0
	replicated := make(chan error, 1)
	go func() {
		seqs, err := d.WaitReplicated(ctx, 2*time.Minute)
		if err == nil {
			var parts []string
			for _, id := range sortedKeys(seqs) {
				parts = append(parts, fmt.Sprintf("%s up to seq %d", id, seqs[id]))
			}
			fmt.Fprintf(stdout, "HQ holds every depot's log: %s.\n", strings.Join(parts, ", "))
		}
		replicated <- err
	}()
	select {
	case <-ctx.Done():
	case name := <-d.Exited():
		fmt.Fprintf(stderr, "partsedge-demo: %s stopped on its own: see its log in %s\n", name, filepath.Join(o.Data, "logs"))
		code = 1
	case err := <-replicated:
		if err != nil && ctx.Err() == nil {
			fmt.Fprintf(stderr, "partsedge-demo: %v\n", err)
		}
		select {
		case <-ctx.Done():
		case name := <-d.Exited():
			fmt.Fprintf(stderr, "partsedge-demo: %s stopped on its own: see its log in %s\n", name, filepath.Join(o.Data, "logs"))
			code = 1
		}
	}
	fmt.Fprintln(stdout, "Stopping: the depots, the devices, then HQ ...")
	if err := d.Stop(); err != nil {
		fmt.Fprintf(stderr, "partsedge-demo: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "Stopped.")
	return code
}

func printSummary(w io.Writer, d *Demo, o Options) {
	fmt.Fprintf(w, "\nPartsedge demo is running.\n\n")
	fmt.Fprintf(w, "  HQ (hqd)       %s   admin token: %s\n", d.HQURL, o.Token)
	for _, dep := range d.Depots {
		fmt.Fprintf(w, "  depot %-8s %s   admin token: %s\n", dep.ID, dep.URL, o.Token)
		for _, dev := range dep.Devices {
			fmt.Fprintf(w, "    %-10s %s at station %s, on %s\n", dev.ID, dev.Profile, dev.Station, dev.Link)
		}
	}
	fmt.Fprintf(w, "  MQTT broker    %s (embedded in hqd; users and passwords in %s)\n\n", d.BrokerURL, filepath.Join(o.Data, "mqtt-users"))
	fmt.Fprintf(w, "Open the screens in a browser at each URL above and sign in with a token: the admin's, or\n")
	fmt.Fprintf(w, "one of these (also in %s) to see the screens as each role does:\n", filepath.Join(o.Data, "tokens"))
	for _, p := range d.People {
		fmt.Fprintf(w, "  %-8s %-12s %s\n", p.Where, p.Role, p.Token)
	}
	fmt.Fprintf(w, "The language follows the browser's, or the one chosen at the top of the page.\n\n")
	fmt.Fprintf(w, "Try:\n")
	fmt.Fprintf(w, "  curl -H 'Authorization: Bearer %s' %s/api/v1/depots\n", o.Token, d.HQURL)
	if len(d.Depots) > 0 {
		fmt.Fprintf(w, "  curl -H 'Authorization: Bearer %s' '%s/api/v1/reorder-signals?status=open'\n", o.Token, d.Depots[0].URL)
	}
	fmt.Fprintf(w, "  API documents at /api/v1/openapi.json of each.\n\n")
	fmt.Fprintf(w, "Press Ctrl-C to stop everything.\n\n")
}

func sortedKeys(m map[string]uint64) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
