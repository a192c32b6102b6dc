package hq

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/partsedge/partsedge/inventory"
)

const tokA = "token-of-alice-0123456789"

// TestUsers: create, list, look up by token, add and revoke tokens,
// disable; every refusal has its code and writes nothing; the store holds
// no token in clear; users survive a reopen.
func TestUsers(t *testing.T) {
	dir := t.TempDir()
	h := openHQ(t, dir)
	if err := h.CreateUser(User{Name: "alice", Role: "planner"}, tokA); err != nil {
		t.Fatal(err)
	}
	u, err := h.UserByToken(tokA)
	if err != nil || u.Name != "alice" || u.Role != "planner" || u.Created.IsZero() {
		t.Fatalf("by token: %+v %v", u, err)
	}
	for _, tc := range []struct {
		name  string
		do    func() error
		want  inventory.Code
		field string
	}{
		{"exists", func() error { return h.CreateUser(User{Name: "alice", Role: "viewer"}, "another-token-0123456789") }, inventory.CodeUserExists, "name"},
		{"empty name", func() error { return h.CreateUser(User{Role: "viewer"}, "another-token-0123456789") }, inventory.CodeInvalid, "name"},
		{"bad name", func() error { return h.CreateUser(User{Name: "a/b", Role: "viewer"}, "another-token-0123456789") }, inventory.CodeInvalid, "name"},
		{"long name", func() error {
			return h.CreateUser(User{Name: string(bytes.Repeat([]byte("a"), MaxUserName+1)), Role: "viewer"}, "another-token-0123456789")
		}, inventory.CodeInvalid, "name"},
		{"no role", func() error { return h.CreateUser(User{Name: "bob"}, "another-token-0123456789") }, inventory.CodeInvalid, "role"},
		{"short token", func() error { return h.CreateUser(User{Name: "bob", Role: "viewer"}, "short") }, inventory.CodeInvalid, "token"},
		{"token to nobody", func() error { return h.AddToken("nobody", "another-token-0123456789") }, inventory.CodeNotFound, "name"},
		{"short added token", func() error { return h.AddToken("alice", "short") }, inventory.CodeInvalid, "token"},
		{"revoke unknown", func() error { return h.RevokeToken("never-issued-token-0123") }, inventory.CodeNotFound, "token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			var e *inventory.Error
			if inventory.CodeOf(err) != tc.want || !asErr(err, &e) || e.Field != tc.field {
				t.Fatalf("%v, want %s on %s", err, tc.want, tc.field)
			}
			if us, _ := h.Users(); len(us) != 1 {
				t.Fatalf("refused, yet users are %+v", us)
			}
		})
	}
	if _, err := h.UserByToken("another-token-0123456789"); inventory.CodeOf(err) != inventory.CodeNotFound {
		t.Fatalf("a refused create's token works: %v", err)
	}

	const tokA2 = "second-token-of-alice-0123"
	if err := h.AddToken("alice", tokA2); err != nil {
		t.Fatal(err)
	}
	if err := h.CreateUser(User{Name: "bob", Role: "viewer"}, "token-of-bob-0123456789"); err != nil {
		t.Fatal(err)
	}
	if err := h.AddToken("bob", tokA2); inventory.CodeOf(err) != inventory.CodeInvalid {
		t.Fatalf("alice's token given to bob: %v", err)
	}
	if u, err := h.UserByToken(tokA2); err != nil || u.Name != "alice" {
		t.Fatalf("second token: %+v %v", u, err)
	}
	if err := h.RevokeToken(tokA); err != nil {
		t.Fatal(err)
	}
	if _, err := h.UserByToken(tokA); inventory.CodeOf(err) != inventory.CodeNotFound {
		t.Fatalf("revoked token still works: %v", err)
	}
	if err := h.SetDisabled("alice", true); err != nil {
		t.Fatal(err)
	}
	if _, err := h.UserByToken(tokA2); inventory.CodeOf(err) != inventory.CodeNotFound {
		t.Fatalf("disabled user's token works: %v", err)
	}
	if err := h.SetDisabled("alice", false); err != nil {
		t.Fatal(err)
	}

	// Nothing in the store holds a token's bytes; its hash is there.
	err = h.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, _ := it.Item().ValueCopy(nil)
			for _, tok := range []string{tokA, tokA2, "token-of-bob-0123456789"} {
				if bytes.Contains(it.Item().Key(), []byte(tok)) || bytes.Contains(v, []byte(tok)) {
					t.Errorf("token %s stored in clear under %q", tok, it.Item().Key())
				}
			}
		}
		sum := sha256.Sum256([]byte(tokA2))
		_, err := txn.Get(append([]byte{prefixToken}, sum[:]...))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	h.Close()
	h = openHQ(t, dir)
	us, err := h.Users()
	if err != nil || len(us) != 2 || us[0].Name != "alice" || us[1].Name != "bob" {
		t.Fatalf("after reopen: %+v %v", us, err)
	}
	if u, err := h.UserByToken(tokA2); err != nil || u.Name != "alice" {
		t.Fatalf("after reopen: %+v %v", u, err)
	}
}

// TestCreateUserRace: of many racing creates of one name exactly one wins
// and only the winner's token works.
func TestCreateUserRace(t *testing.T) {
	h := openHQ(t, t.TempDir())
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = h.CreateUser(User{Name: "carol", Role: "viewer"}, fmt.Sprintf("racing-token-%02d-0123456789", i))
		}()
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		_, lerr := h.UserByToken(fmt.Sprintf("racing-token-%02d-0123456789", i))
		switch {
		case err == nil:
			won++
			if lerr != nil {
				t.Errorf("winner %d's token: %v", i, lerr)
			}
		case inventory.CodeOf(err) == inventory.CodeUserExists:
			if lerr == nil {
				t.Errorf("loser %d's token works", i)
			}
		default:
			t.Errorf("create %d: %v", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d creates won", won)
	}
}

func asErr(err error, e **inventory.Error) bool { return errors.As(err, e) }
