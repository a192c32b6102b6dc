package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/partsedge/partsedge/replication/broker"
	"github.com/partsedge/partsedge/replication/mosquitto"
)

// Options say where the demo keeps its data, finds the binaries and listens.
type Options struct {
	// Data is the demo's folder: the stores, the broker's users file, the
	// devices' links and the logs.
	Data string
	// Bin is the folder holding hqd, depotd and devsim.
	Bin string
	// HQListen, MQTTListen and DepotListen (one per depot, in Depots'
	// order) are host:port; port 0 lets each daemon pick a free one.
	HQListen    string
	MQTTListen  string
	DepotListen []string
	// Token is the admin token of hqd and of every depot.
	Token string
	// Timeout bounds each daemon's start and stop.
	Timeout time.Duration
}

// Depots are the demo's depots.
var Depots = []string{"DEMO-1", "DEMO-2"}

// Depot is one running depot of the demo.
type Depot struct {
	ID      string
	URL     string
	Devices []Device
}

// Device is one simulated device of a depot: devsim on a pseudo-terminal
// at Link, which the depot opens as a serial port.
type Device struct {
	ID, Profile, Station, Link string
}

// Demo is the running demo.
type Demo struct {
	opts      Options
	HQURL     string
	BrokerURL string
	Depots    []Depot
	// People are the users made for the demo besides the admin.
	People []Person
	client *http.Client

	mu    sync.Mutex
	procs []*proc // in start order; stopped in reverse
	// exited gets the name of the first daemon or device that exits on
	// its own.
	exited   chan string
	exitOnce sync.Once
	stopping bool
}

// Start starts hqd with the embedded broker, then for each depot its
// simulated devices and depotd with its demo data and a few differences
// (so HQ's planning has stock to balance), and returns once every daemon
// is ready. On an error it stops whatever it had started.
func Start(ctx context.Context, o Options) (d *Demo, err error) {
	if o.Timeout == 0 {
		o.Timeout = 60 * time.Second
	}
	if len(o.DepotListen) != len(Depots) {
		return nil, fmt.Errorf("want %d depot addresses, got %d", len(Depots), len(o.DepotListen))
	}
	if len(o.Token) < 16 {
		return nil, errors.New("the admin token must be at least 16 characters")
	}
	for _, b := range []string{"hqd", "depotd", "devsim"} {
		if _, err := os.Stat(filepath.Join(o.Bin, b)); err != nil {
			return nil, fmt.Errorf("%s is not in %s (build it with make build): %w", b, o.Bin, err)
		}
	}
	d = &Demo{opts: o, exited: make(chan string, 1), client: &http.Client{Timeout: 10 * time.Second}}
	defer func() {
		if err != nil {
			d.Stop()
			d = nil
		}
	}()
	if err := os.MkdirAll(filepath.Join(o.Data, "logs"), 0o755); err != nil {
		return d, fmt.Errorf("demo folder: %w", err)
	}
	users, usersFile, err := mqttUsers(o.Data)
	if err != nil {
		return d, err
	}

	hqd, err := d.start("hqd", "hqd", nil, []string{
		"PARTSEDGE_DATA=" + filepath.Join(o.Data, "hq"), "PARTSEDGE_LISTEN=" + o.HQListen,
		"PARTSEDGE_ADMIN_TOKEN=" + o.Token, "PARTSEDGE_MQTT=embedded", "PARTSEDGE_MQTT_LISTEN=" + o.MQTTListen,
		"PARTSEDGE_MQTT_USERS=" + usersFile, "PARTSEDGE_LOG_LEVEL=warn"})
	if err != nil {
		return d, err
	}
	if d.HQURL, err = hqd.wait(ctx, hqReady, o.Timeout); err != nil {
		return d, err
	}
	if d.BrokerURL, err = hqd.wait(ctx, hqBroker, o.Timeout); err != nil {
		return d, err
	}

	for i, id := range Depots {
		dep := Depot{ID: id}
		devDir := filepath.Join(o.Data, id, "devices")
		if err := os.MkdirAll(devDir, 0o755); err != nil {
			return d, fmt.Errorf("devices folder: %w", err)
		}
		script := filepath.Join(devDir, "scans.txt")
		if err := os.WriteFile(script, []byte(scanScript), 0o644); err != nil {
			return d, fmt.Errorf("scan script: %w", err)
		}
		for _, dev := range []struct {
			Device
			args []string
		}{
			{Device{ID: "scanner-1", Profile: "generic-serial-scanner", Station: "counter-1"},
				[]string{"--scans", script, "--rate", "0.2", "--loop"}},
			{Device{ID: "reader-1", Profile: "chafon-cf-ru5102", Station: "dock-1"},
				[]string{"--population", "12", "--tag-rate", "2", "--seed", fmt.Sprint(i + 1)}},
		} {
			dev.Link = filepath.Join(devDir, dev.ID)
			args := append([]string{"--profile", dev.Profile, "--link", dev.Link}, dev.args...)
			p, err := d.start(id+" "+dev.ID, "devsim", args, nil)
			if err != nil {
				return d, err
			}
			if _, err := p.wait(ctx, devsimReady, o.Timeout); err != nil {
				return d, err
			}
			dep.Devices = append(dep.Devices, dev.Device)
		}
		var specs []string
		for _, dev := range dep.Devices {
			spec := fmt.Sprintf("id=%s,profile=%s,port=%s,station=%s", dev.ID, dev.Profile, dev.Link, dev.Station)
			if strings.HasPrefix(dev.ID, "reader") {
				spec += ",zone.1=dock"
			}
			specs = append(specs, spec)
		}
		p, err := d.start(id, "depotd", nil, []string{
			"PARTSEDGE_DEPOT=" + id, "PARTSEDGE_DATA=" + filepath.Join(o.Data, id, "store"),
			"PARTSEDGE_LISTEN=" + o.DepotListen[i], "PARTSEDGE_ADMIN_TOKEN=" + o.Token, "PARTSEDGE_DEMO=true",
			"PARTSEDGE_MQTT=" + d.BrokerURL, "PARTSEDGE_MQTT_USER=" + id, "PARTSEDGE_MQTT_PASSWORD=" + users[id],
			"PARTSEDGE_DEVICES=" + strings.Join(specs, ";"), "PARTSEDGE_LOG_LEVEL=warn"})
		if err != nil {
			return d, err
		}
		if dep.URL, err = p.wait(ctx, depotReady, o.Timeout); err != nil {
			return d, err
		}
		d.Depots = append(d.Depots, dep)
	}
	for _, dep := range d.Depots {
		if err := d.seed(ctx, dep); err != nil {
			return d, fmt.Errorf("seed %s: %w", dep.ID, err)
		}
	}
	if err := d.people(ctx); err != nil {
		return d, fmt.Errorf("demo users: %w", err)
	}
	return d, nil
}

// scanScript is what the demo scanners scan, over and over: parts of the
// demo catalogue by their EAN-13 and a supplier part number. A station
// with no operation started identifies each one (and writes nothing).
const scanScript = `]E0 4012345000061
]E0 4012345000160
]C0 SKF-6203-2RSH
]E0 4012345000085
`

// seeds are what makes the two depots differ: the demo data is the same at
// both, so each gets a part it runs short of (a min/max policy above what
// it holds: the depot raises a reorder signal) that the other holds in
// excess (a delivery and a policy well below it). HQ's planning can then
// suggest a lateral transfer instead of a purchase. Every request carries a
// fixed idempotency key, so a restart of the demo replays them.
var seeds = map[string][]struct{ path, key, body string }{
	"DEMO-1": {
		{"/api/v1/events", "demo-seed-receipt-cap", `{"type":"receipt","ref":"PO-2026-0107","note":"Bulk buy of run capacitors","lines":[{"sku":"CAP-RUN-35UF","qty":80,"to":"A-05"}]}`},
		{"/api/v1/reorder-policies", "demo-seed-policy-cap", `{"sku":"CAP-RUN-35UF","method":"minmax","min":10,"max":30}`},
		{"/api/v1/reorder-policies", "demo-seed-policy-hepa", `{"sku":"FLT-HEPA-H13","method":"minmax","min":30,"max":60}`},
	},
	"DEMO-2": {
		{"/api/v1/events", "demo-seed-receipt-hepa", `{"type":"receipt","ref":"PO-2026-0211","note":"Season stock of HEPA filters","lines":[{"sku":"FLT-HEPA-H13","qty":150,"to":"A-04"}]}`},
		{"/api/v1/reorder-policies", "demo-seed-policy-hepa", `{"sku":"FLT-HEPA-H13","method":"minmax","min":20,"max":60}`},
		{"/api/v1/reorder-policies", "demo-seed-policy-cap", `{"sku":"CAP-RUN-35UF","method":"minmax","min":20,"max":40}`},
	},
}

func (d *Demo) seed(ctx context.Context, dep Depot) error {
	for _, s := range seeds[dep.ID] {
		status, body, err := d.call(ctx, "POST", dep.URL+s.path, s.key, s.body)
		if err != nil {
			return err
		}
		if status/100 != 2 {
			return fmt.Errorf("POST %s: %d %s", s.path, status, body)
		}
	}
	return nil
}

// call makes an API request with the admin token.
func (d *Demo) call(ctx context.Context, method, url, key, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+d.opts.Token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	return resp.StatusCode, b, err
}

// Replicated reports, per depot, the seq up to which HQ holds its log,
// when that is the depot's whole log: HQ's high-water mark is set and the
// depot has no event after it. ok is false while any depot is behind.
func (d *Demo) Replicated(ctx context.Context) (seqs map[string]uint64, ok bool, err error) {
	seqs = map[string]uint64{}
	for _, dep := range d.Depots {
		status, body, err := d.call(ctx, "GET", d.HQURL+"/api/v1/depots/"+dep.ID, "", "")
		if err != nil {
			return nil, false, err
		}
		if status == http.StatusNotFound {
			return seqs, false, nil // HQ has not heard of it yet
		}
		var at struct {
			HWM struct {
				Seq uint64 `json:"seq"`
			} `json:"hwm"`
		}
		if status != http.StatusOK || json.Unmarshal(body, &at) != nil {
			return nil, false, fmt.Errorf("HQ's view of %s: %d %s", dep.ID, status, body)
		}
		status, body, err = d.call(ctx, "GET", fmt.Sprintf("%s/api/v1/events?after=%d&limit=1", dep.URL, at.HWM.Seq), "", "")
		if err != nil {
			return nil, false, err
		}
		var after struct {
			Items []json.RawMessage `json:"items"`
		}
		if status != http.StatusOK || json.Unmarshal(body, &after) != nil {
			return nil, false, fmt.Errorf("%s's events: %d %s", dep.ID, status, body)
		}
		if at.HWM.Seq == 0 || len(after.Items) > 0 {
			return seqs, false, nil
		}
		seqs[dep.ID] = at.HWM.Seq
	}
	return seqs, true, nil
}

// WaitReplicated polls until HQ holds every depot's whole log.
func (d *Demo) WaitReplicated(ctx context.Context, timeout time.Duration) (map[string]uint64, error) {
	deadline := time.Now().Add(timeout)
	for {
		seqs, ok, err := d.Replicated(ctx)
		if err != nil {
			return nil, err
		}
		if ok {
			return seqs, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("HQ does not hold every depot's log after %s (so far %v)", timeout, seqs)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case name := <-d.exited:
			return nil, fmt.Errorf("%s exited", name)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Exited names the first daemon or device that exited on its own (not
// by Stop).
func (d *Demo) Exited() <-chan string { return d.exited }

// Stop stops the depots first (each says offline and hands its last
// events to the broker while HQ still runs), then the devices, then hqd,
// each with SIGINT and up to Timeout before it is killed. It returns an
// error naming every process that did not exit cleanly.
func (d *Demo) Stop() error {
	d.mu.Lock()
	d.stopping = true
	procs := d.procs
	d.procs = nil
	d.mu.Unlock()
	var errs []error
	order := func(p *proc) int {
		switch p.bin {
		case "depotd":
			return 0
		case "devsim":
			return 1
		}
		return 2
	}
	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		for i := len(procs) - 1; i >= 0; i-- {
			if p := procs[i]; order(p) == round {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := p.stop(d.opts.Timeout); err != nil {
						d.mu.Lock()
						errs = append(errs, err)
						d.mu.Unlock()
					}
				}()
			}
		}
		wg.Wait()
	}
	return errors.Join(errs...)
}

var (
	hqReady     = regexp.MustCompile(`^hqd ready at (http://\S+)$`)
	hqBroker    = regexp.MustCompile(`^hqd mqtt broker at (tcp://\S+)$`)
	depotReady  = regexp.MustCompile(`^depotd \S+ ready at (http://\S+)`)
	devsimReady = regexp.MustCompile(`^devsim \S+ ready at (\S+)`)
)

// proc is one child process: its stdout lines are kept (and logged with
// its stderr in data/logs/<name>.log) so its ready lines can be read.
type proc struct {
	name, bin string
	cmd       *exec.Cmd
	log       *os.File
	done      chan struct{}
	err       error

	mu    sync.Mutex
	lines []string
	more  chan struct{}
}

func (d *Demo) start(name, bin string, args, env []string) (*proc, error) {
	p := &proc{name: name, bin: bin, done: make(chan struct{}), more: make(chan struct{}, 1)}
	p.cmd = exec.Command(filepath.Join(d.opts.Bin, bin), args...)
	// The daemons read only their own settings: nothing PARTSEDGE_ of the
	// shell running the demo leaks in.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PARTSEDGE_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Env = append(p.cmd.Env, env...)
	// A process group of its own, so Ctrl-C reaches the demo alone and it
	// stops the children in order; and the kernel's SIGTERM should the
	// demo die without stopping them.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	logName := bin
	if name != bin {
		logName = bin + "-" + strings.ReplaceAll(name, " ", "-")
	}
	var err error
	if p.log, err = os.OpenFile(filepath.Join(d.opts.Data, "logs", logName+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
		return nil, fmt.Errorf("log of %s: %w", bin, err)
	}
	p.cmd.Stderr = p.log
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		p.log.Close()
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		p.log.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	d.mu.Lock()
	d.procs = append(d.procs, p)
	d.mu.Unlock()
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			fmt.Fprintln(p.log, sc.Text())
			p.mu.Unlock()
			select {
			case p.more <- struct{}{}:
			default:
			}
		}
		p.err = p.cmd.Wait()
		p.log.Close()
		close(p.done)
		d.mu.Lock()
		stopping := d.stopping
		d.mu.Unlock()
		if !stopping {
			d.exitOnce.Do(func() { d.exited <- p.name })
		}
	}()
	return p, nil
}

// wait returns the first submatch of the first stdout line matching re.
func (p *proc) wait(ctx context.Context, re *regexp.Regexp, timeout time.Duration) (string, error) {
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		for _, l := range p.lines {
			if m := re.FindStringSubmatch(l); m != nil {
				p.mu.Unlock()
				return m[1], nil
			}
		}
		p.mu.Unlock()
		select {
		case <-p.more:
		case <-p.done:
			// The last lines may have come with the exit.
			p.mu.Lock()
			lines := p.lines
			p.mu.Unlock()
			for _, l := range lines {
				if m := re.FindStringSubmatch(l); m != nil {
					return m[1], nil
				}
			}
			return "", fmt.Errorf("%s exited before it was ready (%v); the end of %s:\n%s", p.name, p.err, p.log.Name(), tail(p.log.Name(), 5))
		case <-ctx.Done():
			return "", fmt.Errorf("%s: %w", p.name, ctx.Err())
		case <-deadline:
			return "", fmt.Errorf("%s was not ready in %s: see %s", p.name, timeout, p.log.Name())
		}
	}
}

// stop asks the process to stop (SIGINT, as Ctrl-C would) and kills it
// after timeout.
func (p *proc) stop(timeout time.Duration) error {
	select {
	case <-p.done:
	default:
		p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.done:
		case <-time.After(timeout):
			p.cmd.Process.Kill()
			<-p.done
			return fmt.Errorf("%s did not stop in %s and was killed", p.name, timeout)
		}
	}
	if p.err != nil {
		return fmt.Errorf("%s: %w (see %s)", p.name, p.err, p.log.Name())
	}
	return nil
}

// mqttUsers returns the broker's users (HQ's and each depot's) from the
// users file in the demo folder, writing it with new random passwords on
// the first run so later runs keep the same ones.
func mqttUsers(data string) (map[string]string, string, error) {
	path := filepath.Join(data, "mqtt-users")
	want := append([]string{mosquitto.HQUser}, Depots...)
	if _, err := os.Stat(path); err == nil {
		users, err := broker.ReadUsersFile(path)
		if err != nil {
			return nil, "", err
		}
		for _, u := range want {
			if _, ok := users[u]; !ok {
				return nil, "", fmt.Errorf("%s has no line for %s: remove the file to have the demo write a new one", path, u)
			}
		}
		return users, path, nil
	}
	users := map[string]string{}
	var b bytes.Buffer
	b.WriteString("# The demo's MQTT users: HQ and each depot (user:password).\n")
	for _, u := range want {
		var r [18]byte
		if _, err := rand.Read(r[:]); err != nil {
			return nil, "", fmt.Errorf("random password: %w", err)
		}
		users[u] = base64.RawURLEncoding.EncodeToString(r[:])
		fmt.Fprintf(&b, "%s:%s\n", u, users[u])
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		return nil, "", fmt.Errorf("write the users file: %w", err)
	}
	return users, path, nil
}

// tail is the last n lines of a log file, indented, for an error message.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "  (" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}
