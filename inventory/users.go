package inventory

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// User is a person or system that holds API tokens. Roles are defined by the
// API layer; the store keeps them as given.
type User struct {
	Name     string    `json:"name"`
	Role     string    `json:"role"`
	Disabled bool      `json:"disabled,omitempty"`
	Created  time.Time `json:"created"`
	// Lang is the language the user reads answers in (a BCP 47 tag the
	// API checks); "" follows the browser's Accept-Language.
	Lang string `json:"lang,omitempty"`
}

func tokenKey(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return append([]byte{pToken}, sum[:]...)
}

// PutUser creates or updates a user.
func (s *Store) PutUser(u User) error {
	if err := checkCode("name", u.Name); err != nil {
		return err
	}
	if err := checkCode("role", u.Role); err != nil {
		return err
	}
	if u.Created.IsZero() {
		u.Created = s.opts.Clock.Now().UTC()
	}
	b, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return s.db.Update(func(txn *badger.Txn) error { return txn.Set(join(pUser, u.Name), b) })
}

// SetUserLang sets the language name reads answers in; "" clears it. It
// reads and writes the user in one transaction, so a concurrent change to
// another of the user's fields is not undone.
func (s *Store) SetUserLang(name, lang string) error {
	s.usersMu.Lock()
	defer s.usersMu.Unlock()
	return s.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(join(pUser, name))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return notFound("user", "no user %q", name)
		}
		if err != nil {
			return err
		}
		var u User
		if err := item.Value(func(v []byte) error { return json.Unmarshal(v, &u) }); err != nil {
			return err
		}
		u.Lang = lang
		b, err := json.Marshal(u)
		if err != nil {
			return err
		}
		return txn.Set(join(pUser, name), b)
	})
}

// User returns one user.
func (s *Store) User(name string) (User, error) {
	return viewDoc[User](s, join(pUser, name), "user", "no user %q", name)
}

// Users lists every user.
func (s *Store) Users() ([]User, error) {
	out := []User{}
	err := s.scan([]byte{pUser}, "", 1<<30, true, func(_, v []byte) error {
		var u User
		if err := json.Unmarshal(v, &u); err != nil {
			return err
		}
		out = append(out, u)
		return nil
	})
	return out, err
}

// CreateUser creates a user together with its first token in one
// transaction: there is never a user without a way in, and two racing
// creates of one name cannot both succeed.
func (s *Store) CreateUser(u User, token string) error {
	if err := checkCode("name", u.Name); err != nil {
		return err
	}
	if err := checkCode("role", u.Role); err != nil {
		return err
	}
	if len(token) < 16 {
		return errf(CodeInvalid, "token", "must be at least 16 characters")
	}
	if u.Created.IsZero() {
		u.Created = s.opts.Clock.Now().UTC()
	}
	b, err := json.Marshal(u)
	if err != nil {
		return err
	}
	s.usersMu.Lock()
	defer s.usersMu.Unlock()
	return s.db.Update(func(txn *badger.Txn) error {
		if _, err := txn.Get(join(pUser, u.Name)); err == nil {
			return errf(CodeUserExists, "name", "a user named %q exists", u.Name)
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		if err := txn.Set(join(pUser, u.Name), b); err != nil {
			return err
		}
		return txn.Set(tokenKey(token), []byte(u.Name))
	})
}

// AddToken lets token authenticate as user name. Only its SHA-256 is stored.
func (s *Store) AddToken(name, token string) error {
	if len(token) < 16 {
		return errf(CodeInvalid, "token", "must be at least 16 characters")
	}
	if _, err := s.User(name); err != nil {
		return err
	}
	return s.db.Update(func(txn *badger.Txn) error { return txn.Set(tokenKey(token), []byte(name)) })
}

// UserByToken returns the enabled user a token belongs to.
func (s *Store) UserByToken(token string) (User, error) {
	var name []byte
	err := s.read(func(txn *badger.Txn) error {
		item, err := txn.Get(tokenKey(token))
		if err != nil {
			return err
		}
		name, err = item.ValueCopy(nil)
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return User{}, errf(CodeNotFound, "token", "no such token")
	}
	if err != nil {
		return User{}, err
	}
	u, err := s.User(string(name))
	if err == nil && u.Disabled {
		return User{}, errf(CodeNotFound, "token", "no such token")
	}
	return u, err
}
