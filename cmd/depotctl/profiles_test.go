package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProfilesLint(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("my-scanner.yaml", `id: my-scanner
vendor: Acme
model: S1
kind: scanner
firmware: ["1.0"]
match: {usb: [{vid: "1234", pid: "0001"}]}
transport: {type: serial, baud: 9600}
framing: {suffix: "\r"}
codec: serial-scanner
capabilities: {}
`)
	if r := runCLI(t, nil, "", "profiles", "lint", good); r.code != 0 || !strings.Contains(r.stdout, "ok: 1 profiles") {
		t.Fatalf("good file: %s", r)
	}
	if r := runCLI(t, nil, "", "profiles", "lint"); r.code != 0 || !strings.Contains(r.stdout, "built-in profiles") {
		t.Fatalf("built-in: %s", r)
	}
	bad := write("bad.yaml", `id: bad
vendor: Acme
model: R1
kind: reader
firmware: ["1.0"]
match: {}
transport: {type: serial, baud: 115200}
framing: {checksum: crc16-thingmagic}
codec: r2000
reader: {antennas: [9]}
capabilities: {inventory: true, antennas: 4}
`)
	r := runCLI(t, nil, "", "profiles", "lint", dir)
	if r.code != 2 {
		t.Fatalf("a folder with a bad file: %s", r)
	}
	for _, want := range []string{bad + ": framing.checksum: codec r2000 uses sum8-twos", bad + ": reader.antennas[0]: 9"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r)
		}
	}
	if !strings.Contains(r.stderr, "2 problems in 2 files") {
		t.Errorf("stderr: %s", r.stderr)
	}
	if r := runCLI(t, nil, "", "profiles", "lint", filepath.Join(dir, "missing.yaml")); r.code != 2 {
		t.Fatalf("missing file: %s", r)
	}
	if r := runCLI(t, nil, "", "profiles", "frobnicate"); r.code != 2 {
		t.Fatalf("unknown subcommand: %s", r)
	}
}

func TestProfilesListAndShow(t *testing.T) {
	r := runCLI(t, nil, "", "profiles", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "generic-serial-scanner") || !strings.Contains(r.stdout, "CODEC") {
		t.Fatalf("list: %s", r)
	}
	r = runCLI(t, nil, "", "profiles", "show", "generic-serial-scanner")
	if r.code != 0 || !strings.Contains(r.stdout, "codec: serial-scanner") {
		t.Fatalf("show: %s", r)
	}
	if r := runCLI(t, nil, "", "profiles", "show", "nope"); r.code != 2 {
		t.Fatalf("show unknown: %s", r)
	}
}
