package hqapi

import (
	"strings"
	"testing"

	"github.com/partsedge/partsedge/api/internal/oacheck"
	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/hq"
)

// TestOpenAPIMatchesRoutes: every route gin serves is documented, and every
// documented operation is served; each difference is named.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	oacheck.Load(t, openAPIJSON).CheckRoutes(t, newUserFixture(t).srv.engine.Routes(), 10)
}

// TestOpenAPIIsComplete checks the document's inner consistency (see
// oacheck.CheckComplete), and that what it documents as public is what the
// role table says is.
func TestOpenAPIIsComplete(t *testing.T) {
	doc := oacheck.Load(t, openAPIJSON)
	doc.CheckComplete(t, 20)
	doc.CheckLanguages(t)
	for _, op := range doc.Operations(t) {
		if op.Public() && len(routeRoles[op.Method+" "+oacheck.GinPath(op.Path)]) != 0 {
			t.Errorf("%s %s: documented as public, the role table says otherwise", op.Method, op.Path)
		}
	}
}

// TestOpenAPISchemasMatchTheTypes keeps the documented fields equal to the
// JSON the Go types produce, so a field added to a type shows up here.
func TestOpenAPISchemasMatchTheTypes(t *testing.T) {
	doc := oacheck.Load(t, openAPIJSON)
	// Site is both what PUT .../site decodes and what the API answers.
	doc.CheckSchemas(t, []oacheck.Type{
		{Schema: "User", V: hq.User{}}, {Schema: "NewUser", V: NewUser{}}, {Schema: "Problem", V: Problem{}},
		{Schema: "Me", V: Me{}}, {Schema: "LanguageChoice", V: LanguageBody{}, Request: true},
		{Schema: "Depot", V: hq.Depot{}}, {Schema: "HWM", V: hq.HWM{}}, {Schema: "Counters", V: hq.Counters{}},
		{Schema: "DepotStatus", V: hq.DepotStatus{}},
		{Schema: "Balance", V: inventory.Balance{}}, {Schema: "Position", V: inventory.Position{}},
		{Schema: "DepotStock", V: hq.DepotStock{}}, {Schema: "PartStock", V: hq.PartStock{}},
		{Schema: "TransferView", V: hq.TransferView{}}, {Schema: "TransferLineState", V: inventory.TransferLineState{}},
		{Schema: "ShipmentLine", V: inventory.ShipmentLine{}}, {Schema: "TransferReport", V: inventory.TransferReport{}},
		{Schema: "TransferState", V: inventory.TransferState{}}, {Schema: "Signal", V: hq.Signal{}},
		{Schema: "Suggestion", V: hq.Suggestion{}}, {Schema: "Site", V: hq.Site{}}, {Schema: "Site", V: siteBody{}},
		{Schema: "DepotSite", V: hq.DepotSite{}},
		{Schema: "TransferOrder", V: hq.TransferOrder{}}, {Schema: "TransferOrderState", V: hq.TransferOrderState{}},
		{Schema: "TransferLine", V: inventory.TransferLine{}}, {Schema: "CommandState", V: hq.CommandState{}},
		{Schema: "Command", V: inventory.Command{}}, {Schema: "Transfer", V: inventory.Transfer{}},
		{Schema: "Part", V: inventory.Part{}}, {Schema: "ReorderPolicy", V: inventory.ReorderPolicy{}},
		{Schema: "PartsRequest", V: PartsRequest{}},
		{Schema: "Notice", V: inventory.Notice{}},
	})
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"Role", Roles()},
		{"TransferOrderStatus", []string{hq.OrderQueued, hq.OrderAccepted, hq.OrderRefused}},
		{"CommandStatus", []string{hq.CommandPending, hq.CommandApplied, hq.CommandRefused, hq.CommandDone}},
		{"CommandType", eventTypes(replication.CommandTypes)},
		{"Tracking", []string{string(inventory.TrackNone), string(inventory.TrackLot), string(inventory.TrackSerial)}},
		{"TransferStatus", []string{string(inventory.TransferRequested), string(inventory.TransferApproved),
			string(inventory.TransferShipped), string(inventory.TransferReceived), string(inventory.TransferClosed)}},
	} {
		doc.CheckEnum(t, tc.name, tc.want)
	}
}

func eventTypes(ts []inventory.EventType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

// TestServesOpenAPI: the document is served as it is embedded, without a
// token.
func TestServesOpenAPI(t *testing.T) {
	f := newUserFixture(t)
	w := f.do(hreq{method: "GET", path: "/api/v1/openapi.json"})
	if w.Code != 200 || w.Body.String() != string(openAPIJSON) || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", w.Code, w.Header())
	}
}
