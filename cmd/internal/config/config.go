// Package config reads the settings shared by Partsedge's daemons. Every
// setting has a flag, an environment variable and a key in the YAML config
// file; a flag wins over the environment, which wins over the file, which
// wins over the program's defaults. The names are a published contract
// (docs/architecture.md, "Configuration contract").
package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Config is every setting of depotd (and, later, hqd).
type Config struct {
	// File is the config file that was read, empty when none was.
	File         string
	Depot        string
	Data         string
	Listen       string
	AdminToken   string
	MQTT         string
	MQTTUser     string
	MQTTPassword string
	// MQTTCAFile is a PEM file of CAs trusted for ssl:// brokers besides
	// the system's roots (a private HQ CA).
	MQTTCAFile string
	// MQTTListen is where the embedded broker listens (PARTSEDGE_MQTT
	// embedded); empty means DefaultMQTTListen.
	MQTTListen string
	// MQTTUsers is the embedded broker's users file (ReadUsersFile in
	// replication/broker): one "user:password" line per MQTT user.
	MQTTUsers string
	LogLevel  string
	Demo      bool
	// Devices is the device list in its one-line form (see
	// devices/manager.ParseSpecs); the file may give it as a YAML list.
	Devices string
	// Stations lists stations (comma-separated) beyond those the devices
	// name: counters served only by handhelds and screens.
	Stations string
	// Profiles is a folder of extra firmware profiles.
	Profiles string
	// Discover turns on USB serial device discovery.
	Discover bool
	// GS1CompanyPrefix is the depot's GS1 company prefix, for the SSCCs of
	// the transfer shipments it seals.
	GS1CompanyPrefix string
	// Webhooks are the URLs (comma-separated) the depot POSTs its notices
	// to, signed with WebhookSecret.
	Webhooks      string
	WebhookSecret string
	// ExpiryDays is how many days ahead a lot's expiry is a notice (a
	// whole number; empty means 30).
	ExpiryDays string
}

// setting describes one configurable value under its three names.
type setting struct {
	flag, env, yaml, usage string
	str                    func(*Config) *string // nil for a bool setting
	boolean                func(*Config) *bool
	secret                 bool
}

func settings() []setting {
	return []setting{
		{flag: "depot", env: "PARTSEDGE_DEPOT", yaml: "depot", usage: "this depot's `id`",
			str: func(c *Config) *string { return &c.Depot }},
		{flag: "data", env: "PARTSEDGE_DATA", yaml: "data", usage: "the data `folder` (the Badger store)",
			str: func(c *Config) *string { return &c.Data }},
		{flag: "listen", env: "PARTSEDGE_LISTEN", yaml: "listen", usage: "HTTP `address` (host:port)",
			str: func(c *Config) *string { return &c.Listen }},
		{flag: "admin-token", env: "PARTSEDGE_ADMIN_TOKEN", yaml: "adminToken", usage: "the admin bearer `token` set on first start (generated when empty)",
			str: func(c *Config) *string { return &c.AdminToken }, secret: true},
		{flag: "mqtt", env: "PARTSEDGE_MQTT", yaml: "mqtt", usage: "broker `URL` (tcp://, ssl://), or embedded; empty works offline",
			str: func(c *Config) *string { return &c.MQTT }},
		{flag: "mqtt-user", env: "PARTSEDGE_MQTT_USER", yaml: "mqttUser", usage: "broker `user`",
			str: func(c *Config) *string { return &c.MQTTUser }},
		{flag: "mqtt-password", env: "PARTSEDGE_MQTT_PASSWORD", yaml: "mqttPassword", usage: "broker `password`",
			str: func(c *Config) *string { return &c.MQTTPassword }, secret: true},
		{flag: "mqtt-ca-file", env: "PARTSEDGE_MQTT_CA_FILE", yaml: "mqttCAFile", usage: "a PEM `file` of CAs to trust for ssl:// brokers, besides the system's",
			str: func(c *Config) *string { return &c.MQTTCAFile }},
		{flag: "mqtt-listen", env: "PARTSEDGE_MQTT_LISTEN", yaml: "mqttListen", usage: "the embedded broker's `address` (host:port; default " + DefaultMQTTListen + ")",
			str: func(c *Config) *string { return &c.MQTTListen }},
		{flag: "mqtt-users", env: "PARTSEDGE_MQTT_USERS", yaml: "mqttUsers", usage: "the embedded broker's users `file`: one user:password line each (HQ's user and each depot's id)",
			str: func(c *Config) *string { return &c.MQTTUsers }},
		{flag: "log-level", env: "PARTSEDGE_LOG_LEVEL", yaml: "logLevel", usage: "debug, info, warn or error",
			str: func(c *Config) *string { return &c.LogLevel }},
		{flag: "demo", env: "PARTSEDGE_DEMO", yaml: "demo", usage: "seed demo data into an empty store",
			boolean: func(c *Config) *bool { return &c.Demo }},
		{flag: "devices", env: "PARTSEDGE_DEVICES", yaml: "devices", usage: "scanners and readers: `list` of id=..,profile=..,port=..|address=..|usb=..,station=.. separated by ';'",
			str: func(c *Config) *string { return &c.Devices }},
		{flag: "stations", env: "PARTSEDGE_STATIONS", yaml: "stations", usage: "more station `ids`, comma-separated (those the devices name exist anyway)",
			str: func(c *Config) *string { return &c.Stations }},
		{flag: "profiles", env: "PARTSEDGE_PROFILES", yaml: "profiles", usage: "a `folder` of extra firmware profiles (*.yaml)",
			str: func(c *Config) *string { return &c.Profiles }},
		{flag: "discover-devices", env: "PARTSEDGE_DISCOVER_DEVICES", yaml: "discoverDevices", usage: "find USB serial scanners and readers by their profiles' match rules",
			boolean: func(c *Config) *bool { return &c.Discover }},
		{flag: "gs1-company-prefix", env: "PARTSEDGE_GS1_COMPANY_PREFIX", yaml: "gs1CompanyPrefix", usage: "the depot's GS1 company `prefix` (6-12 digits) for transfer shipment SSCCs",
			str: func(c *Config) *string { return &c.GS1CompanyPrefix }},
		{flag: "webhooks", env: "PARTSEDGE_WEBHOOKS", yaml: "webhooks", usage: "`URLs` (http or https, comma-separated) to POST each notice to",
			str: func(c *Config) *string { return &c.Webhooks }},
		{flag: "webhook-secret", env: "PARTSEDGE_WEBHOOK_SECRET", yaml: "webhookSecret", usage: "the `secret` the webhook deliveries are signed with (HMAC-SHA256)",
			str: func(c *Config) *string { return &c.WebhookSecret }, secret: true},
		{flag: "expiry-days", env: "PARTSEDGE_EXPIRY_DAYS", yaml: "expiryDays", usage: "how many `days` ahead a lot's expiry becomes a notice (default 30)",
			str: func(c *Config) *string { return &c.ExpiryDays }},
	}
}

// DefaultMQTTListen is where the embedded broker listens unless
// PARTSEDGE_MQTT_LISTEN says otherwise: loopback, the standard MQTT port.
const DefaultMQTTListen = "127.0.0.1:1883"

// Defaults returns the defaults every daemon shares; a daemon sets its own
// Listen (depotd 127.0.0.1:8080, hqd 127.0.0.1:8090).
func Defaults(listen string) Config {
	return Config{Listen: listen, LogLevel: "info"}
}

// Load registers the settings' flags on fs (the caller may have added its
// own, such as --version), parses args, and layers defaults, the config
// file, the environment (through getenv) and the flags that were given.
// Errors are meant for the operator: they name the setting and where its
// bad value came from.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string, defaults Config) (Config, error) {
	all := settings()
	flagStr := map[string]*string{}
	flagBool := map[string]*bool{}
	configFlag := fs.String("config", "", "the YAML config `file` (env PARTSEDGE_CONFIG)")
	for _, s := range all {
		usage := s.usage + " (env " + s.env + ")"
		if s.str != nil {
			flagStr[s.flag] = fs.String(s.flag, "", usage)
		} else {
			flagBool[s.flag] = fs.Bool(s.flag, false, usage)
		}
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q: every setting is a --flag", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	cfg := defaults
	cfg.File = getenv("PARTSEDGE_CONFIG")
	if given["config"] {
		cfg.File = *configFlag
	}
	if cfg.File != "" {
		if err := readFile(cfg.File, &cfg); err != nil {
			return Config{}, err
		}
	}
	for _, s := range all {
		v := getenv(s.env)
		if v == "" {
			continue
		}
		if err := s.set(&cfg, v, "environment variable "+s.env); err != nil {
			return Config{}, err
		}
	}
	for _, s := range all {
		if !given[s.flag] {
			continue
		}
		if s.str != nil {
			*s.str(&cfg) = *flagStr[s.flag]
		} else {
			*s.boolean(&cfg) = *flagBool[s.flag]
		}
	}
	return cfg, cfg.check()
}

func (s setting) set(c *Config, v, from string) error {
	if s.str != nil {
		*s.str(c) = v
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("%s: %q is not true or false", from, v)
	}
	*s.boolean(c) = b
	return nil
}

// readFile applies the YAML file's keys to cfg. Unknown keys are an error:
// a misspelt key would otherwise leave a setting silently at its default.
func readFile(path string, cfg *Config) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	return parseFile(path, b, cfg)
}

// parseFile applies the YAML settings in b to cfg; path only names the file
// in messages.
func parseFile(path string, b []byte, cfg *Config) error {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file sets nothing
		}
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		return nil // comments only
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("config file %s: the top level must be a mapping of settings", path)
	}
	byKey := map[string]setting{}
	for _, s := range settings() {
		byKey[s.yaml] = s
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		s, ok := byKey[k.Value]
		if !ok {
			return fmt.Errorf("config file %s line %d: unknown key %q (known: %s)", path, k.Line, k.Value, knownKeys())
		}
		if seen[k.Value] {
			return fmt.Errorf("config file %s line %d: %s is set twice", path, k.Line, k.Value)
		}
		seen[k.Value] = true
		if k.Value == "devices" && v.Kind == yaml.SequenceNode {
			spec, err := deviceList(path, v)
			if err != nil {
				return err
			}
			cfg.Devices = spec
			continue
		}
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("config file %s line %d: %s must be a single value", path, v.Line, k.Value)
		}
		if s.str != nil {
			var str string
			if err := v.Decode(&str); err != nil {
				return fmt.Errorf("config file %s line %d: %s: %w", path, v.Line, k.Value, err)
			}
			*s.str(cfg) = str
			continue
		}
		var bv bool
		if err := v.Decode(&bv); err != nil {
			return fmt.Errorf("config file %s line %d: %s must be true or false", path, v.Line, k.Value)
		}
		*s.boolean(cfg) = bv
	}
	return nil
}

// deviceList turns the YAML form of the device list (a sequence of
// mappings; a reader's zones as a mapping of antenna to zone) into the
// one-line form the flag and environment variable use.
func deviceList(path string, seq *yaml.Node) (string, error) {
	var specs []string
	for _, item := range seq.Content {
		if item.Kind != yaml.MappingNode {
			return "", fmt.Errorf("config file %s line %d: each device is a mapping (id, profile, port, station ...)", path, item.Line)
		}
		var kvs []string
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			if k.Value == "zones" && v.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(v.Content); j += 2 {
					ant, zone := v.Content[j], v.Content[j+1]
					if ant.Kind != yaml.ScalarNode || zone.Kind != yaml.ScalarNode {
						return "", fmt.Errorf("config file %s line %d: zones maps an antenna number to a zone name", path, ant.Line)
					}
					kvs = append(kvs, "zone."+ant.Value+"="+zone.Value)
				}
				continue
			}
			if v.Kind != yaml.ScalarNode {
				return "", fmt.Errorf("config file %s line %d: device setting %s must be a single value", path, v.Line, k.Value)
			}
			if strings.ContainsAny(k.Value, ",;=") || strings.ContainsAny(v.Value, ",;") {
				return "", fmt.Errorf("config file %s line %d: device setting %s: names and values cannot hold ',' or ';'", path, v.Line, k.Value)
			}
			kvs = append(kvs, k.Value+"="+v.Value)
		}
		specs = append(specs, strings.Join(kvs, ","))
	}
	return strings.Join(specs, ";"), nil
}

func knownKeys() string {
	var ks []string
	for _, s := range settings() {
		ks = append(ks, s.yaml)
	}
	return strings.Join(ks, ", ")
}

func (c Config) check() error {
	if _, err := ParseLevel(c.LogLevel); err != nil {
		return err
	}
	for _, a := range []struct{ name, addr, example string }{
		{"listen", c.Listen, "127.0.0.1:8080"}, {"mqtt-listen", c.MQTTListen, DefaultMQTTListen}} {
		if a.addr == "" {
			continue
		}
		if _, port, err := net.SplitHostPort(a.addr); err != nil {
			return fmt.Errorf("%s %q: want host:port, such as %s", a.name, a.addr, a.example)
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			return fmt.Errorf("%s %q: %q is not a port number", a.name, a.addr, port)
		}
	}
	return nil
}

// Require reports the first of the named settings (by flag name) that is
// empty, naming all three ways to set it.
func (c Config) Require(flags ...string) error {
	for _, name := range flags {
		for _, s := range settings() {
			if s.flag == name && s.str != nil && *s.str(&c) == "" {
				return fmt.Errorf("%s is not set: use --%s, %s or %q in the config file", name, s.flag, s.env, s.yaml)
			}
		}
	}
	return nil
}

// ParseLevel reads a log level name.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("log level %q: want debug, info, warn or error", s)
}

// Redacted is the config with its secrets masked, for logging.
func (c Config) Redacted() Config {
	for _, s := range settings() {
		if s.secret && *s.str(&c) != "" {
			*s.str(&c) = "***"
		}
	}
	return c
}
