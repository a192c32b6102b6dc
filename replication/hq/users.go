package hq

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/partsedge/partsedge/inventory"
)

// HQ's users live in HQ's own store, beside the replicated events, like a
// depot's users beside its ledger: a token is never stored in clear, only
// its SHA-256, so a copy of the store lets nobody in.
//
//	U<name>          a user (JSON)
//	K<sha256(token)> the name of the user the token belongs to
const (
	prefixUser  = 'U'
	prefixToken = 'K'
)

// MinTokenLen is the shortest bearer token HQ accepts: anything shorter
// could be guessed.
const MinTokenLen = 16

// MaxUserName bounds a user's name.
const MaxUserName = 64

// User is someone (or some system) holding bearer tokens for HQ's API.
// Roles mean something to the API only; the store keeps them as given.
type User struct {
	Name     string    `json:"name"`
	Role     string    `json:"role"`
	Disabled bool      `json:"disabled,omitempty"`
	Created  time.Time `json:"created"`
	// Lang is the language the user reads HQ's answers in (a BCP 47
	// tag the API checks); "" follows the browser's Accept-Language.
	Lang string `json:"lang,omitempty"`
}

func userKey(name string) []byte { return append([]byte{prefixUser}, name...) }

func tokenKey(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return append([]byte{prefixToken}, sum[:]...)
}

// CheckUserName says whether name is a user name: 1 to MaxUserName
// letters, digits, '.', '_', '-' or '@'. Names go into URLs and logs, so
// nothing that needs escaping is allowed.
func CheckUserName(name string) error {
	if name == "" || len(name) > MaxUserName {
		return inventory.Errorf(inventory.CodeInvalid, "name", "must be 1 to %d characters", MaxUserName)
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' || r == '@'
		if !ok {
			return inventory.Errorf(inventory.CodeInvalid, "name", "may hold only letters, digits, '.', '_', '-' and '@'")
		}
	}
	return nil
}

func checkToken(token string) error {
	if len(token) < MinTokenLen {
		return inventory.Errorf(inventory.CodeInvalid, "token", "must be at least %d characters", MinTokenLen)
	}
	return nil
}

// updateRetrying runs fn in an update transaction, again when Badger
// reports a conflict: two racing creates of one name conflict, and the
// retry then sees the other's user and answers user_exists.
func (h *HQ) updateRetrying(fn func(txn *badger.Txn) error) error {
	err := h.db.Update(fn)
	for i := 0; i < 3 && errors.Is(err, badger.ErrConflict); i++ {
		err = h.db.Update(fn)
	}
	return err
}

// CreateUser creates u with its first token in one transaction, so there
// is never a user without a way in.
func (h *HQ) CreateUser(u User, token string) error {
	if err := CheckUserName(u.Name); err != nil {
		return err
	}
	if u.Role == "" {
		return inventory.Errorf(inventory.CodeInvalid, "role", "is required")
	}
	if err := checkToken(token); err != nil {
		return err
	}
	if u.Created.IsZero() {
		u.Created = h.now().UTC()
	}
	b, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("encode user: %w", err)
	}
	err = h.updateRetrying(func(txn *badger.Txn) error {
		if _, err := txn.Get(userKey(u.Name)); err == nil {
			return inventory.Errorf(inventory.CodeUserExists, "name", "a user named %q exists", u.Name)
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		if err := txn.Set(userKey(u.Name), b); err != nil {
			return err
		}
		return txn.Set(tokenKey(token), []byte(u.Name))
	})
	return wrapStore("create user", err)
}

// AddToken lets token authenticate as the user name.
func (h *HQ) AddToken(name, token string) error {
	if err := checkToken(token); err != nil {
		return err
	}
	err := h.updateRetrying(func(txn *badger.Txn) error {
		if _, err := getUser(txn, name); err != nil {
			return err
		}
		if item, err := txn.Get(tokenKey(token)); err == nil {
			// A token belongs to one user; moving it would hand one
			// user's access to another.
			owner, verr := item.ValueCopy(nil)
			if verr != nil {
				return verr
			}
			if string(owner) != name {
				return inventory.Errorf(inventory.CodeInvalid, "token", "belongs to another user")
			}
			return nil
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		return txn.Set(tokenKey(token), []byte(name))
	})
	return wrapStore("add token", err)
}

// RevokeToken makes token stop working; not_found when it works for no one.
func (h *HQ) RevokeToken(token string) error {
	err := h.updateRetrying(func(txn *badger.Txn) error {
		if _, err := txn.Get(tokenKey(token)); errors.Is(err, badger.ErrKeyNotFound) {
			return inventory.Errorf(inventory.CodeNotFound, "token", "no such token")
		} else if err != nil {
			return err
		}
		return txn.Delete(tokenKey(token))
	})
	return wrapStore("revoke token", err)
}

// SetDisabled turns a user's access off (every token at once) or on again.
func (h *HQ) SetDisabled(name string, disabled bool) error {
	err := h.updateRetrying(func(txn *badger.Txn) error {
		u, err := getUser(txn, name)
		if err != nil {
			return err
		}
		u.Disabled = disabled
		b, err := json.Marshal(u)
		if err != nil {
			return err
		}
		return txn.Set(userKey(name), b)
	})
	return wrapStore("disable user", err)
}

// SetUserLang sets the language name reads answers in; "" clears it. The
// API checks lang against the languages it speaks.
func (h *HQ) SetUserLang(name, lang string) error {
	err := h.updateRetrying(func(txn *badger.Txn) error {
		u, err := getUser(txn, name)
		if err != nil {
			return err
		}
		u.Lang = lang
		b, err := json.Marshal(u)
		if err != nil {
			return err
		}
		return txn.Set(userKey(name), b)
	})
	return wrapStore("set user language", err)
}

// User returns one user.
func (h *HQ) User(name string) (User, error) {
	var u User
	err := h.db.View(func(txn *badger.Txn) (err error) {
		u, err = getUser(txn, name)
		return err
	})
	return u, wrapStore("read user", err)
}

// Users lists every user by name.
func (h *HQ) Users() ([]User, error) {
	out := []User{}
	err := h.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixUser}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var u User
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &u) }); err != nil {
				return fmt.Errorf("user %q: %w", it.Item().Key()[1:], err)
			}
			out = append(out, u)
		}
		return nil
	})
	return out, wrapStore("list users", err)
}

// UserByToken returns the enabled user token belongs to; not_found for an
// unknown token or a disabled user, so the API cannot tell them apart to
// a caller.
func (h *HQ) UserByToken(token string) (User, error) {
	var u User
	err := h.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(tokenKey(token))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return inventory.Errorf(inventory.CodeNotFound, "token", "no such token")
		}
		if err != nil {
			return err
		}
		name, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		if u, err = getUser(txn, string(name)); err != nil {
			return err
		}
		if u.Disabled {
			return inventory.Errorf(inventory.CodeNotFound, "token", "no such token")
		}
		return nil
	})
	return u, wrapStore("look up token", err)
}

func getUser(txn *badger.Txn, name string) (User, error) {
	var u User
	item, err := txn.Get(userKey(name))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return u, inventory.Errorf(inventory.CodeNotFound, "name", "no user named %q", name)
	}
	if err != nil {
		return u, err
	}
	err = item.Value(func(v []byte) error { return json.Unmarshal(v, &u) })
	if err != nil {
		return u, fmt.Errorf("user %q as stored: %w", name, err)
	}
	return u, nil
}

// wrapStore leaves a domain refusal as it is (its code is the answer) and
// says what failed for anything else.
func wrapStore(what string, err error) error {
	if err == nil {
		return nil
	}
	var e *inventory.Error
	if errors.As(err, &e) {
		return e
	}
	return fmt.Errorf("%s: %w", what, err)
}
