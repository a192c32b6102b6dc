// Package mosquitto holds the ready Mosquitto 2.x configuration operators
// use for the replication protocol (mosquitto.conf, acl, README.md). The ACL
// is embedded so that the test broker (replication/brokertest) runs exactly
// the rules that ship, and the two cannot drift apart.
package mosquitto

import _ "embed"

//go:embed acl
var acl string

//go:embed mosquitto.conf
var conf string

// HQUser is the MQTT username the ACL grants HQ's rights to.
const HQUser = "hq"

// ACL is the content of the shipped acl file.
func ACL() string { return acl }

// Config is the content of the shipped mosquitto.conf.
func Config() string { return conf }
