package config

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "partsedge.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func load(args []string, env map[string]string) (Config, error) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return Load(fs, args, envOf(env), Defaults("127.0.0.1:8080"))
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, `
depot: FILE-DEPOT
data: /file/data
listen: 127.0.0.1:7000
adminToken: file-token-0123456789
mqtt: tcp://file:1883
mqttUser: file-user
mqttPassword: file-pass
logLevel: warn
demo: true
`)
	brokerFile := writeFile(t, "mqtt: embedded\nmqttListen: 127.0.0.1:11883\nmqttUsers: /file/users\n")
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want Config
	}{
		{name: "defaults only", want: Config{Listen: "127.0.0.1:8080", LogLevel: "info"}},
		{name: "file over defaults", args: []string{"--config", file}, want: Config{
			File: file, Depot: "FILE-DEPOT", Data: "/file/data", Listen: "127.0.0.1:7000", AdminToken: "file-token-0123456789",
			MQTT: "tcp://file:1883", MQTTUser: "file-user", MQTTPassword: "file-pass", LogLevel: "warn", Demo: true}},
		{name: "config file named by env", env: map[string]string{"PARTSEDGE_CONFIG": file}, want: Config{
			File: file, Depot: "FILE-DEPOT", Data: "/file/data", Listen: "127.0.0.1:7000", AdminToken: "file-token-0123456789",
			MQTT: "tcp://file:1883", MQTTUser: "file-user", MQTTPassword: "file-pass", LogLevel: "warn", Demo: true}},
		{name: "env over file", args: []string{"--config", file}, env: map[string]string{
			"PARTSEDGE_DEPOT": "ENV-DEPOT", "PARTSEDGE_DATA": "/env/data", "PARTSEDGE_LISTEN": "0.0.0.0:9000",
			"PARTSEDGE_ADMIN_TOKEN": "env-token-0123456789", "PARTSEDGE_MQTT": "embedded", "PARTSEDGE_MQTT_USER": "env-user",
			"PARTSEDGE_MQTT_PASSWORD": "env-pass", "PARTSEDGE_LOG_LEVEL": "debug", "PARTSEDGE_DEMO": "false"},
			want: Config{File: file, Depot: "ENV-DEPOT", Data: "/env/data", Listen: "0.0.0.0:9000", AdminToken: "env-token-0123456789",
				MQTT: "embedded", MQTTUser: "env-user", MQTTPassword: "env-pass", LogLevel: "debug", Demo: false}},
		{name: "flags over env over file", args: []string{"--config", file, "--depot", "FLAG-DEPOT", "--data=/flag/data",
			"--listen", "127.0.0.1:0", "--admin-token", "flag-token-0123456789", "--mqtt", "ssl://flag:8883", "--mqtt-user", "flag-user",
			"--mqtt-password", "flag-pass", "--log-level", "error", "--demo"},
			env: map[string]string{"PARTSEDGE_DEPOT": "ENV-DEPOT", "PARTSEDGE_DATA": "/env/data", "PARTSEDGE_DEMO": "false",
				"PARTSEDGE_LOG_LEVEL": "debug", "PARTSEDGE_MQTT": "embedded"},
			want: Config{File: file, Depot: "FLAG-DEPOT", Data: "/flag/data", Listen: "127.0.0.1:0", AdminToken: "flag-token-0123456789",
				MQTT: "ssl://flag:8883", MQTTUser: "flag-user", MQTTPassword: "flag-pass", LogLevel: "error", Demo: true}},
		{name: "a flag may set a value back to empty or false", args: []string{"--config", file, "--mqtt=", "--demo=false"},
			env: map[string]string{"PARTSEDGE_MQTT": "embedded"},
			want: Config{File: file, Depot: "FILE-DEPOT", Data: "/file/data", Listen: "127.0.0.1:7000", AdminToken: "file-token-0123456789",
				MQTT: "", MQTTUser: "file-user", MQTTPassword: "file-pass", LogLevel: "warn", Demo: false}},
		{name: "the config flag wins over the config env", args: []string{"--config", file},
			env: map[string]string{"PARTSEDGE_CONFIG": "/no/such/file.yaml"},
			want: Config{File: file, Depot: "FILE-DEPOT", Data: "/file/data", Listen: "127.0.0.1:7000", AdminToken: "file-token-0123456789",
				MQTT: "tcp://file:1883", MQTTUser: "file-user", MQTTPassword: "file-pass", LogLevel: "warn", Demo: true}},
		{name: "env alone", env: map[string]string{"PARTSEDGE_DEPOT": "D9", "PARTSEDGE_DEMO": "1"},
			want: Config{Depot: "D9", Listen: "127.0.0.1:8080", LogLevel: "info", Demo: true}},
		{name: "the broker CA file by env, then by flag", args: []string{"--mqtt-ca-file", "/flag/ca.pem"},
			env:  map[string]string{"PARTSEDGE_MQTT_CA_FILE": "/env/ca.pem", "PARTSEDGE_MQTT": "ssl://hq:8883"},
			want: Config{Listen: "127.0.0.1:8080", LogLevel: "info", MQTT: "ssl://hq:8883", MQTTCAFile: "/flag/ca.pem"}},
		{name: "the embedded broker's address and users by env, then by flag", args: []string{"--mqtt-listen", "127.0.0.1:0"},
			env:  map[string]string{"PARTSEDGE_MQTT_LISTEN": "0.0.0.0:1883", "PARTSEDGE_MQTT_USERS": "/env/users", "PARTSEDGE_MQTT": "embedded"},
			want: Config{Listen: "127.0.0.1:8080", LogLevel: "info", MQTT: "embedded", MQTTListen: "127.0.0.1:0", MQTTUsers: "/env/users"}},
		{name: "the embedded broker's settings in the file", args: []string{"--config", brokerFile},
			want: Config{File: brokerFile, Listen: "127.0.0.1:8080", LogLevel: "info", MQTT: "embedded", MQTTListen: "127.0.0.1:11883", MQTTUsers: "/file/users"}},
		{name: "the broker CA file by env", env: map[string]string{"PARTSEDGE_MQTT_CA_FILE": "/env/ca.pem"},
			want: Config{Listen: "127.0.0.1:8080", LogLevel: "info", MQTTCAFile: "/env/ca.pem"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := load(tc.args, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestDaemonDefaults(t *testing.T) {
	fs := flag.NewFlagSet("hqd", flag.ContinueOnError)
	got, err := Load(fs, nil, envOf(nil), Defaults("127.0.0.1:8090"))
	if err != nil || got.Listen != "127.0.0.1:8090" {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		args       []string
		env        map[string]string
		want       string
	}{
		{name: "unknown yaml key", file: "depot: D1\nlisten_addr: 1.2.3.4:80\n", want: `unknown key "listen_addr"`},
		{name: "misspelt key", file: "admin_token: x\n", want: `unknown key "admin_token"`},
		{name: "key twice", file: "depot: A\ndepot: B\n", want: "set twice"},
		{name: "not a mapping", file: "- depot\n", want: "mapping"},
		{name: "nested value", file: "depot:\n  id: D1\n", want: "single value"},
		{name: "bad yaml", file: "depot: [\n", want: "config file"},
		{name: "bad bool in file", file: "demo: maybe\n", want: "true or false"},
		{name: "missing file", args: []string{"--config", "/no/such/partsedge.yaml"}, want: "no such file"},
		{name: "bad bool in env", env: map[string]string{"PARTSEDGE_DEMO": "maybe"}, want: "PARTSEDGE_DEMO"},
		{name: "bad log level", env: map[string]string{"PARTSEDGE_LOG_LEVEL": "loud"}, want: "log level"},
		{name: "bad listen", args: []string{"--listen", "8080"}, want: "host:port"},
		{name: "bad port", args: []string{"--listen", "localhost:http-alt"}, want: "port"},
		{name: "bad broker listen", env: map[string]string{"PARTSEDGE_MQTT_LISTEN": "1883"}, want: "mqtt-listen"},
		{name: "unknown flag", args: []string{"--dpot", "D1"}, want: "flag provided but not defined"},
		{name: "stray argument", args: []string{"D1"}, want: "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.file != "" {
				args = append([]string{"--config", writeFile(t, tc.file)}, args...)
			}
			_, err := load(args, tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestEmptyFileSetsNothing(t *testing.T) {
	got, err := load([]string{"--config", writeFile(t, "# nothing yet\n")}, nil)
	if err != nil || got.Listen != "127.0.0.1:8080" || got.Depot != "" {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestHelp(t *testing.T) {
	if _, err := load([]string{"-h"}, nil); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
}

func TestRequire(t *testing.T) {
	c := Config{Depot: "D1"}
	if err := c.Require("depot"); err != nil {
		t.Fatal(err)
	}
	err := c.Require("depot", "data")
	if err == nil || !strings.Contains(err.Error(), "--data") || !strings.Contains(err.Error(), "PARTSEDGE_DATA") ||
		!strings.Contains(err.Error(), `"data"`) {
		t.Fatalf("Require: %v", err)
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{"debug": slog.LevelDebug, "INFO": slog.LevelInfo, "": slog.LevelInfo,
		"warn": slog.LevelWarn, "warning": slog.LevelWarn, "error": slog.LevelError} {
		if got, err := ParseLevel(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
}

func TestRedacted(t *testing.T) {
	c := Config{AdminToken: "secret-token", MQTTPassword: "pw", MQTTUser: "u"}.Redacted()
	if c.AdminToken != "***" || c.MQTTPassword != "***" || c.MQTTUser != "u" {
		t.Fatalf("%+v", c)
	}
}

func TestDeviceListInFile(t *testing.T) {
	for _, tc := range []struct {
		yaml, want, wantErr string
	}{
		{"devices: id=a,profile=p,port=/dev/x\n", "id=a,profile=p,port=/dev/x", ""},
		{`devices:
  - id: dock-scanner
    profile: zebra-ssi-scanner
    port: /dev/serial/by-id/usb-Zebra-if00
    station: dock-1
  - id: door
    profile: r2000-reader
    address: 10.0.0.7:4001
    zones: {1: dock, 2: aisle-3}
discoverDevices: true
`, "id=dock-scanner,profile=zebra-ssi-scanner,port=/dev/serial/by-id/usb-Zebra-if00,station=dock-1;id=door,profile=r2000-reader,address=10.0.0.7:4001,zone.1=dock,zone.2=aisle-3", ""},
		{"devices:\n  - just-a-string\n", "", "each device is a mapping"},
		{"devices:\n  - {id: a, station: 'x,y'}\n", "", "cannot hold"},
		{"devices:\n  - {id: a, zones: [1, 2]}\n", "", "single value"},
	} {
		var cfg Config
		err := parseFile("test.yaml", []byte(tc.yaml), &cfg)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: err = %v, want %q", tc.yaml, err, tc.wantErr)
			}
			continue
		}
		if err != nil || cfg.Devices != tc.want {
			t.Errorf("%q: devices = %q, %v; want %q", tc.yaml, cfg.Devices, err, tc.want)
		}
	}
}
