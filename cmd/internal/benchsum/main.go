// Command benchsum reads `go test -bench` output on stdin and prints, for each
// benchmark and metric, the median and spread over the runs, next to the
// budget DESIGN.md sets for it. Budgets are judged on the median, never on a
// single run.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// budget is a limit on one metric of the benchmarks whose name matches.
type budget struct {
	bench   *regexp.Regexp
	metric  string
	atLeast bool
	limit   float64
	what    string
}

// budgets are DESIGN.md's, for a 2-core machine.
var budgets = []budget{
	{regexp.MustCompile(`^BenchmarkAppendDurable/writers=64$`), "events/s", true, 10000, "durable events, in-process, concurrent writers"},
	{regexp.MustCompile(`^BenchmarkHTTPPostEvents`), "events/s", true, 3000, "durable events over HTTP, 32 clients"},
	{regexp.MustCompile(`^BenchmarkHTTPPostEvents`), "p99-ms", false, 25, "p99 latency over HTTP, 32 clients"},
	{regexp.MustCompile(`^BenchmarkHTTPStockLookup`), "lookups/s", true, 15000, "stock lookups over HTTP"},
	{regexp.MustCompile(`^BenchmarkDepotdScale`), "rss-MB", false, 150, "depotd RSS, 100k parts + 1M events"},
	{regexp.MustCompile(`^BenchmarkDepotdScale`), "ready-ms", false, 1000, "depotd start to ready, 1M events"},
	{regexp.MustCompile(`^BenchmarkDecodeAndSmooth`), "reads/s", true, 50000, "RFID tag reads decoded + smoothed, one core"},
	{regexp.MustCompile(`^BenchmarkMosquittoBacklog1M$`), "s/drain", false, 60, "replication: 1M-event backlog to HQ through Mosquitto"},
}

var line = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+(\d+)\s+(.*)$`)

// key names one metric of one benchmark; pkg keeps apart benchmarks of
// the same name in different packages (each reader codec has its own
// BenchmarkDecodeAndSmooth).
type key struct{ pkg, bench, metric string }

func (k key) name() string {
	if k.pkg == "" {
		return k.bench
	}
	return k.pkg + "." + k.bench
}

func parse(r io.Reader) (map[key][]float64, []key, error) {
	vals := map[key][]float64{}
	var order []key
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	pkg := ""
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "pkg: "); ok {
			pkg = path.Base(strings.TrimSpace(p))
			continue
		}
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		f := strings.Fields(m[4])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			k := key{pkg, m[1], f[i+1]}
			if _, seen := vals[k]; !seen {
				order = append(order, k)
			}
			vals[k] = append(vals[k], v)
		}
	}
	return vals, order, sc.Err()
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func main() {
	vals, order, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchsum:", err)
		os.Exit(2)
	}
	if len(order) == 0 {
		fmt.Fprintln(os.Stderr, "benchsum: no benchmark results on stdin")
		os.Exit(2)
	}
	os.Exit(report(os.Stdout, vals, order))
}

// report prints the table and returns 1 when a budget is missed.
func report(w io.Writer, vals map[key][]float64, order []key) int {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BENCHMARK\tMETRIC\tMEDIAN\tMIN\tMAX\tRUNS")
	for _, k := range order {
		if k.metric == "B/op" || k.metric == "allocs/op" {
			continue
		}
		v := vals[k]
		fmt.Fprintf(tw, "%s\t%s\t%.4g\t%.4g\t%.4g\t%d\n", k.name(), k.metric, median(v), slices.Min(v), slices.Max(v), len(v))
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BUDGET\tBENCHMARK\tMEDIAN\tLIMIT\tRESULT")
	missed := 0
	for _, b := range budgets {
		found := false
		for _, k := range order {
			if k.metric != b.metric || !b.bench.MatchString(k.bench) {
				continue
			}
			found = true
			m := median(vals[k])
			ok := m <= b.limit
			cmp := "<="
			if b.atLeast {
				ok, cmp = m >= b.limit, ">="
			}
			res := "ok"
			if !ok {
				res = "MISSED"
				missed++
			}
			fmt.Fprintf(tw, "%s\t%s\t%.4g %s\t%s %g\t%s (%.2fx of budget)\n", b.what, k.name(), m, b.metric, cmp, b.limit, res, m/b.limit)
		}
		if !found {
			fmt.Fprintf(tw, "%s\t(not run)\t\t\t\n", b.what)
		}
	}
	tw.Flush()
	if missed > 0 {
		return 1
	}
	return 0
}
