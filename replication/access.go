package replication

import "strings"

// Access is the protocol's access rule, the one every broker is configured
// to enforce (the embedded broker runs it as is; the Mosquitto ACL in
// replication/mosquitto says the same with %u patterns): a depot's MQTT
// user is its depot id and reaches only its own topics; the HQ user reads
// every depot's events, status and command acks, and writes acks and
// commands. Nobody else reaches anything.
type Access struct {
	// HQ is the HQ service's MQTT user.
	HQ string
}

// MayPublish reports whether user may publish to topic.
func (a Access) MayPublish(user, topic string) bool {
	depot, kind, ok := ParseTopic(topic)
	if !ok {
		return false
	}
	if user == a.HQ {
		return kind == KindAck || kind == KindCommands || kind == KindNoticesAck
	}
	return user == depot && (kind == KindEvents || kind == KindStatus || kind == KindCommandsAck || kind == KindNotices)
}

// MaySubscribe reports whether user may subscribe to filter. HQ may name
// every depot with a single-level wildcard in the depot's place (and use a
// $share group, so several HQ instances split the depots); a depot only its
// own topics, without wildcards.
func (a Access) MaySubscribe(user, filter string) bool {
	if user == a.HQ {
		filter = unshare(filter)
		rest, ok := strings.CutPrefix(filter, TopicRoot+"+/")
		if ok {
			filter = Topic("any", rest)
		}
		_, kind, ok := ParseTopic(filter)
		return ok && (kind == KindEvents || kind == KindStatus || kind == KindCommandsAck || kind == KindNotices)
	}
	depot, kind, ok := ParseTopic(filter)
	return ok && user == depot && (kind == KindAck || kind == KindCommands || kind == KindNoticesAck)
}

// unshare takes a shared subscription's group off its filter
// ($share/<group>/<filter>, MQTT 5 and the common 3.1.1 extension).
func unshare(filter string) string {
	rest, ok := strings.CutPrefix(filter, "$share/")
	if !ok {
		return filter
	}
	_, f, ok := strings.Cut(rest, "/")
	if !ok {
		return ""
	}
	return f
}
