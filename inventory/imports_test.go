package inventory

import (
	"os/exec"
	"strings"
	"testing"
)

// The domain must not depend on transports or frameworks: the design keeps
// gin, paho, serial and usb out of inventory so the ledger can be reasoned
// about (and tested) alone. go list sees the whole transitive graph,
// including test-only imports.
func TestInventoryImportsNoTransport(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-test", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list returned too little to judge: %q", deps)
	}
	forbidden := []string{
		"github.com/gin-gonic/gin",
		"github.com/eclipse/paho.mqtt.golang",
		"go.bug.st/serial",
		"github.com/google/gousb",
		"github.com/partsedge/partsedge/api",
		"github.com/partsedge/partsedge/devices",
		"github.com/partsedge/partsedge/replication",
	}
	for _, d := range deps {
		for _, f := range forbidden {
			if d == f || strings.HasPrefix(d, f+"/") {
				t.Errorf("inventory depends on %s", d)
			}
		}
	}
}
