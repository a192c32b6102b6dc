package replication

import "testing"

func TestAccess(t *testing.T) {
	a := Access{HQ: "hq"}
	for _, tc := range []struct {
		user, topic string
		pub, sub    bool
	}{
		{"D1", "partsedge/v1/depots/D1/events", true, false},
		{"D1", "partsedge/v1/depots/D1/status", true, false},
		{"D1", "partsedge/v1/depots/D1/commands/ack", true, false},
		{"D1", "partsedge/v1/depots/D1/ack", false, true},
		{"D1", "partsedge/v1/depots/D1/commands", false, true},
		{"D1", "partsedge/v1/depots/D2/events", false, false},
		{"D1", "partsedge/v1/depots/D2/ack", false, false},
		{"D1", "partsedge/v1/depots/+/ack", false, false},
		{"D1", "#", false, false},
		{"D1", "partsedge/v1/depots/D1/notices", true, false},
		{"D1", "partsedge/v1/depots/D1/notices/ack", false, true},
		{"D1", "partsedge/v1/depots/D2/notices", false, false},
		{"D1", "partsedge/v1/depots/D2/notices/ack", false, false},
		{"hq", "partsedge/v1/depots/+/notices", false, true},
		{"hq", "partsedge/v1/depots/D1/notices/ack", true, false},
		{"hq", "partsedge/v1/depots/D1/notices", false, true},
		{"hq", "partsedge/v1/depots/D1/ack", true, false},
		{"hq", "partsedge/v1/depots/D1/commands", true, false},
		{"hq", "partsedge/v1/depots/D1/events", false, true},
		{"hq", "partsedge/v1/depots/+/events", false, true},
		{"hq", "partsedge/v1/depots/+/status", false, true},
		{"hq", "partsedge/v1/depots/+/commands/ack", false, true},
		{"hq", "$share/hq/partsedge/v1/depots/+/events", false, true},
		{"hq", "partsedge/v1/depots/+/ack", false, false},
		{"hq", "partsedge/v1/depots/#", false, false},
		{"hq", "partsedge/v1/depots/D1/#", false, false},
		{"eve", "partsedge/v1/depots/eve2/events", false, false},
		{"", "partsedge/v1/depots/D1/events", false, false},
	} {
		if got := a.MayPublish(tc.user, tc.topic); got != tc.pub {
			t.Errorf("%s publish %s: %v", tc.user, tc.topic, got)
		}
		if got := a.MaySubscribe(tc.user, tc.topic); got != tc.sub {
			t.Errorf("%s subscribe %s: %v", tc.user, tc.topic, got)
		}
	}
}
