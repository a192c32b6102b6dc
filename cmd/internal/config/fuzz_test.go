package config

import (
	"strings"
	"testing"
)

// FuzzParseFile feeds arbitrary bytes to the config file parser: it must
// never panic, and it must either refuse the file or leave only values of
// known settings in the config.
func FuzzParseFile(f *testing.F) {
	for _, seed := range []string{
		"depot: D1\ndata: /var/lib/partsedge\nlisten: 127.0.0.1:8080\n",
		"demo: true\nlogLevel: debug\n",
		"# only a comment\n",
		"- a\n- list\n",
		"depot: [1, 2]\n",
		"depot: D1\ndepot: D2\n",
		"unknown: 1\n",
		"demo: maybe\n",
		"---\n...\n",
		"mqtt: tcp://broker:1883\nmqttUser: depot-1\nmqttPassword: \"s3cr3t: with colon\"\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg := Defaults("127.0.0.1:8080")
		before := cfg
		err := parseFile("fuzz.yaml", b, &cfg)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Fatalf("an error that does not name the file: %v", err)
			}
			return
		}
		if strings.TrimSpace(string(b)) == "" && cfg != before {
			t.Fatalf("an empty file changed the config: %+v", cfg)
		}
	})
}
