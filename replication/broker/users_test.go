package broker

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseUsers(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     map[string]string
		err      string
	}{
		{name: "users", in: "# HQ and the depots\nhq:hq-secret-1\n\nDEMO-1:pass:with:colons\r\n  # indented comment\nDEMO-2:has spaces ok\n",
			want: map[string]string{"hq": "hq-secret-1", "DEMO-1": "pass:with:colons", "DEMO-2": "has spaces ok"}},
		{name: "no colon", in: "hq hq-secret-1\n", err: "line 1: want user:password"},
		{name: "empty user", in: "hq:hq-secret-1\n:password1\n", err: "line 2: the user name is empty"},
		{name: "spaced user", in: " hq:hq-secret-1\n", err: "line 1: the user name"},
		{name: "short password", in: "hq:short\n", err: "line 1: hq's password is shorter"},
		{name: "twice", in: "hq:hq-secret-1\nhq:hq-secret-2\n", err: "line 2: hq is named twice"},
		{name: "empty", in: "# nobody\n", err: "no users"},
		{name: "bad utf8", in: "hq:\xff\xfe-secret-1\n", err: "not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseUsers(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !maps.Equal(got, tc.want) {
				t.Fatalf("%v %v, want %v", got, err, tc.want)
			}
		})
	}
}

// TestUsersFileStartsTheBroker: a users file read from disk is what the
// broker lets in.
func TestUsersFileStartsTheBroker(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mqtt-users")
	if err := os.WriteFile(p, []byte("hq:hq-secret-1\nD1:d1-secret-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	users, err := ReadUsersFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Start(Options{Addr: "127.0.0.1:0", HQ: "hq", Users: users})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	mustConnect(t, b, "D1", "d1-secret-1")
	if _, err := connect(t, b, "D1", "d1-secret"); err == nil {
		t.Fatal("a wrong password connected")
	}
	if _, err := ReadUsersFile(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Fatal("a missing file read")
	}
}

// FuzzParseUsers: any file either parses into users whose names and
// passwords satisfy the rules, or is an error; never a panic.
func FuzzParseUsers(f *testing.F) {
	f.Add([]byte("hq:hq-secret-1\nD1:d1-secret-1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		users, err := ParseUsers(strings.NewReader(string(b)))
		if err != nil {
			return
		}
		if len(users) == 0 {
			t.Fatal("no error and no users")
		}
		for u, p := range users {
			if u == "" || strings.ContainsAny(u, ": \t\n") || len(p) < MinPasswordLen || strings.Contains(p, "\n") {
				t.Fatalf("user %q password %q", u, p)
			}
		}
	})
}
