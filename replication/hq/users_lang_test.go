package hq

import (
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

// TestUserLang: HQ keeps a user's language with the user, across a
// reopen, and clears it with ""; an unknown user is not_found.
func TestUserLang(t *testing.T) {
	dir := t.TempDir()
	h := openHQ(t, dir)
	if err := h.CreateUser(User{Name: "lin", Role: "viewer"}, "lin-token-0123456789"); err != nil {
		t.Fatal(err)
	}
	if err := h.SetUserLang("lin", "zh-Hant"); err != nil {
		t.Fatal(err)
	}
	h.Close()
	h = openHQ(t, dir)
	defer h.Close()
	u, err := h.UserByToken("lin-token-0123456789")
	if err != nil || u.Lang != "zh-Hant" || u.Role != "viewer" || u.Created.IsZero() {
		t.Fatalf("after reopen: %+v %v", u, err)
	}
	if err := h.SetUserLang("lin", ""); err != nil {
		t.Fatal(err)
	}
	if u, err := h.User("lin"); err != nil || u.Lang != "" {
		t.Errorf("cleared: %+v %v", u, err)
	}
	if err := h.SetUserLang("nobody", "en"); inventory.CodeOf(err) != inventory.CodeNotFound {
		t.Errorf("unknown user: %v", err)
	}
}
