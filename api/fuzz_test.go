package api

import "testing"

// FuzzPostEvent posts arbitrary bodies as a storekeeper to a seeded depot.
// Whatever arrives, the answer is never a server error, a refusal writes
// nothing, and an acceptance writes exactly one event.
func FuzzPostEvent(f *testing.F) {
	for _, s := range []string{
		`{"type":"receipt","ref":"PO-1","lines":[{"sku":"P-NONE","qty":1,"to":"A-01"}]}`,
		`{"type":"issue","ref":"WO-1","lines":[{"sku":"P-NONE","qty":2,"from":"A-01","fromReserved":true}]}`,
		`{"type":"move","lines":[{"sku":"P-SER","qty":1,"from":"A-01","to":"VAN-1","serials":["S1"]}]}`,
		`{"type":"count-adjustment","lines":[{"sku":"P-LOT","qty":-2,"location":"A-01","lot":"L1"}]}`,
		`{"type":"part-defined","part":{"sku":"X"}}`,
		`{"type":"reorder-policy-set","policy":{"sku":"P-NONE","method":"minmax","min":2,"max":8}}`,
		`{"type":"reorder-signal","signal":{"sku":"P-NONE","method":"minmax","position":{"total":0},"reorderPoint":1,"orderUpTo":5,"suggestedQty":5}}`,
		`{"type":"receipt","lines":[{"sku":"P-NONE","qty":1e3,"to":"A-01"}]}`,
		`{"type":"receipt"} trailing`,
		`[]`, `null`, ``, `{`, `{"type":"\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	fx := newFixture(f)
	seed(f, fx.store)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkFuzzedPost(t, fx, req{method: "POST", path: "/api/v1/events", role: RoleStorekeeper, body: body}, `"event":{"seq":`)
	})
}
