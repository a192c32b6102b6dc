package api

import (
	"slices"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/api/internal/oacheck"
	"github.com/partsedge/partsedge/inventory"
)

// TestOpenAPIMatchesRoutes: every route gin serves is documented, and every
// documented operation is served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	oacheck.Load(t, openAPIDocument()).CheckRoutes(t, newFixture(t).srv.engine.Routes(), 20)
}

// TestOpenAPIIsComplete checks the document's inner consistency (see
// oacheck.CheckComplete), that only what needs no token is documented as
// public, and that the problem codes are exactly the ones
// problem.go maps.
func TestOpenAPIIsComplete(t *testing.T) {
	doc := oacheck.Load(t, openAPIDocument())
	doc.CheckComplete(t, 50)
	doc.CheckLanguages(t)
	for _, op := range doc.Operations(t) {
		// Everything under /api/v1 but the document itself needs a token.
		wantPublic := !strings.HasPrefix(op.Path, "/api/v1/") || op.Path == "/api/v1/openapi.json"
		if op.Public() != wantPublic {
			t.Errorf("%s %s: documented public %v, want %v", op.Method, op.Path, op.Public(), wantPublic)
		}
	}
	var codes []string
	for c := range wantStatus {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	enum := doc.PropertyEnum(t, "Problem", "code")
	slices.Sort(enum)
	if !slices.Equal(enum, codes) {
		t.Errorf("Problem.code enum %v, mapped codes %v", enum, codes)
	}
}

// TestOpenAPISchemasMatchTheTypes keeps the documented fields equal to the
// JSON the Go types produce, so a field added to inventory shows up here.
func TestOpenAPISchemasMatchTheTypes(t *testing.T) {
	doc := oacheck.Load(t, openAPIDocument())
	doc.CheckSchemas(t, []oacheck.Type{
		{Schema: "Part", V: inventory.Part{}}, {Schema: "Location", V: inventory.Location{}},
		{Schema: "NewPart", V: inventory.Part{}, Request: true},
		{Schema: "NewLocation", V: inventory.Location{}, Request: true},
		{Schema: "Line", V: inventory.Line{}}, {Schema: "Command", V: inventory.Command{}},
		{Schema: "Event", V: inventory.Event{}}, {Schema: "Balance", V: inventory.Balance{}},
		{Schema: "User", V: inventory.User{}}, {Schema: "VerifyReport", V: inventory.VerifyReport{}},
		{Schema: "SerialHistory", V: inventory.SerialHistory{}}, {Schema: "StockAnswer", V: stockAnswer{}},
		{Schema: "NewUser", V: newUser{}}, {Schema: "Problem", V: Problem{}},
		{Schema: "Me", V: me{}}, {Schema: "LanguageChoice", V: languageBody{}, Request: true},
		{Schema: "ReorderPolicy", V: inventory.ReorderPolicy{}}, {Schema: "ReorderSignal", V: inventory.ReorderSignal{}},
		{Schema: "ReorderState", V: inventory.ReorderState{}}, {Schema: "SignalRecord", V: inventory.SignalRecord{}},
		{Schema: "Position", V: inventory.Position{}}, {Schema: "DemandEstimate", V: inventory.DemandEstimate{}},
		{Schema: "Forecast", V: inventory.Forecast{}}, {Schema: "ReplicationStatus", V: ReplicationStatus{}},
		{Schema: "Reminder", V: inventory.Reminder{}}, {Schema: "Notice", V: inventory.Notice{}}, {Schema: "NoticeList", V: noticeList{}},
	})
	eventTypes := make([]string, len(inventory.EventTypes))
	for i, et := range inventory.EventTypes {
		eventTypes[i] = string(et)
	}
	doc.CheckEnum(t, "EventType", eventTypes)
	doc.CheckEnum(t, "Role", Roles())
}
