package devicetest

import (
	"bufio"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// Golden reads a file of named frames, one per line: the name, sep, then
// the frame in hex (spaces allowed). Blank lines and lines starting with #
// (where each frame's source is written) are skipped.
func Golden(t testing.TB, path, sep string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]byte{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, hx, ok := strings.Cut(line, sep)
		if !ok {
			t.Fatalf("%s: golden line %q: want name%shex", path, line, sep)
		}
		b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(hx), " ", ""))
		if err != nil {
			t.Fatalf("%s: golden %s: %v", path, name, err)
		}
		out[name] = b
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
