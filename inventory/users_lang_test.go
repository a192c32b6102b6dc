package inventory

import (
	"errors"
	"testing"
)

// TestUserLang: a user's language is stored with the user, survives a
// token lookup, is cleared by "", and leaves the user's other fields as
// they were; an unknown user is not_found.
func TestUserLang(t *testing.T) {
	s := openTest(t, nil)
	if err := s.CreateUser(User{Name: "mei", Role: "engineer", Disabled: false}, "mei-token-0123456789"); err != nil {
		t.Fatal(err)
	}
	before, err := s.User("mei")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"zh-Hant", "en", ""} {
		if err := s.SetUserLang("mei", lang); err != nil {
			t.Fatalf("set %q: %v", lang, err)
		}
		u, err := s.UserByToken("mei-token-0123456789")
		if err != nil {
			t.Fatal(err)
		}
		want := before
		want.Lang = lang
		if u != want {
			t.Errorf("after setting %q: %+v, want %+v", lang, u, want)
		}
	}
	err = s.SetUserLang("nobody", "en")
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeNotFound || e.Format != "no user %q" || e.Msg != `no user "nobody"` {
		t.Errorf("unknown user: %#v", err)
	}
}

// TestErrorCarriesItsFormat: a refusal keeps the English message for logs
// and the format with its values for the API to translate; At moves it to
// another field and keeps both.
func TestErrorCarriesItsFormat(t *testing.T) {
	e := Errorf(CodeInsufficientStock, "lines[0].qty", "%s at %s: %d available, %d needed", "P-1", "A-01", 2, 5)
	if e.Msg != "P-1 at A-01: 2 available, 5 needed" || e.Format != "%s at %s: %d available, %d needed" || len(e.Args) != 4 {
		t.Errorf("%#v", e)
	}
	moved := e.At("shipment.lines[0].qty")
	if moved.Field != "shipment.lines[0].qty" || moved.Msg != e.Msg || moved.Format != e.Format || e.Field != "lines[0].qty" {
		t.Errorf("At: %#v (original %#v)", moved, e)
	}
	if !errors.Is(e, &Error{Code: CodeInsufficientStock}) {
		t.Error("errors.Is no longer matches on the code alone")
	}
}
