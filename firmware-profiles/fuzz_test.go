package profiles

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds profile files to the parser: a depot may load profiles
// written by anyone, and a bad one must be refused with problems, never
// crash depotd or pass with nonsense.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("*.yaml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(good))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.yaml", data)
		if err != nil {
			if _, ok := err.(Problems); !ok {
				t.Fatalf("Parse returned %T, want Problems", err)
			}
			return
		}
		if ps := p.Validate(""); len(ps) > 0 {
			t.Fatalf("accepted a profile that does not validate: %v", ps)
		}
	})
}
