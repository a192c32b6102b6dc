package devicetest

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices"
)

// TestNotInDepotd keeps test support out of the daemon: nothing cmd/depotd
// links may import this package.
func TestNotInDepotd(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/partsedge/partsedge/cmd/depotd").Output()
	if err != nil {
		t.Fatalf("go list -deps ./cmd/depotd: %v", err)
	}
	const self = "github.com/partsedge/partsedge/devices/devicetest"
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		t.Fatal("go list -deps ./cmd/depotd listed nothing")
	}
	for _, dep := range deps {
		if dep == self {
			t.Fatalf("cmd/depotd depends on %s, which is test support only", self)
		}
	}
}

func TestLinkTimesOutEveryRead(t *testing.T) {
	host, dev := Pipe()
	defer host.Close()
	defer dev.Close()
	if err := host.SetReadTimeout(20 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	for i := range 2 {
		if _, err := host.Read(buf); !errors.Is(err, devices.ErrTimeout) {
			t.Fatalf("read %d: %v, want ErrTimeout", i, err)
		}
	}
	go dev.Write([]byte("ok"))
	if n, err := host.Read(buf); err != nil || string(buf[:n]) != "ok" {
		t.Fatalf("read after timeouts: %q, %v", buf[:n], err)
	}
}

func TestRecorder(t *testing.T) {
	var r Recorder
	var _ devices.Reporter = &r
	go func() {
		r.Scan(devices.Scan{Data: "x"})
		r.Tags([]devices.Tag{{Antenna: 1}, {Antenna: 2}})
		r.Frame()
		r.BadFrame(devices.ErrChecksum)
	}()
	if !r.Wait(5*time.Second, func(r *Recorder) bool { return len(r.BadFrames()) == 1 }) {
		t.Fatal("reports did not arrive")
	}
	if s := r.Scans(); len(s) != 1 || s[0].Data != "x" {
		t.Errorf("scans %+v", s)
	}
	if tags := r.AllTags(); len(tags) != 2 || r.TagCalls() != 1 {
		t.Errorf("tags %+v in %d calls", tags, r.TagCalls())
	}
	if r.Frames() != 1 || !errors.Is(r.BadFrames()[0], devices.ErrChecksum) {
		t.Errorf("frames %d, bad %v", r.Frames(), r.BadFrames())
	}
	if r.Wait(10*time.Millisecond, func(r *Recorder) bool { return r.Frames() == 2 }) {
		t.Error("Wait held for a condition that never came")
	}
}
