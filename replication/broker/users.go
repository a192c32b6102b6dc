package broker

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// MinPasswordLen is the shortest password a users file may give.
const MinPasswordLen = 8

// maxUsersFile bounds a users file: thousands of depots fit in far less.
const maxUsersFile = 4 << 20

// ParseUsers reads the embedded broker's users file (PARTSEDGE_MQTT_USERS):
// one "user:password" per line, the user up to the first ':', the password
// the rest of the line as it stands (it may hold ':' and spaces); blank
// lines and lines starting with '#' are skipped. The format is Mosquitto's
// plain password file before mosquitto_passwd hashes it, so one file serves
// both while a site moves from one box to a real broker. A user named
// twice, an empty user or a password shorter than MinPasswordLen is an
// error naming the line.
func ParseUsers(r io.Reader) (map[string]string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxUsersFile+1))
	if err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	if len(b) > maxUsersFile {
		return nil, fmt.Errorf("users file: over %d bytes", maxUsersFile)
	}
	users := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), maxUsersFile)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("users file line %d: not valid UTF-8", n)
		}
		user, password, ok := strings.Cut(line, ":")
		switch {
		case !ok:
			return nil, fmt.Errorf("users file line %d: want user:password", n)
		case user == "" || strings.TrimSpace(user) != user || strings.ContainsAny(user, " \t"):
			return nil, fmt.Errorf("users file line %d: the user name is empty or holds spaces", n)
		case len(password) < MinPasswordLen:
			return nil, fmt.Errorf("users file line %d: %s's password is shorter than %d characters", n, user, MinPasswordLen)
		}
		if _, dup := users[user]; dup {
			return nil, fmt.Errorf("users file line %d: %s is named twice", n, user)
		}
		users[user] = password
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("users file: no users")
	}
	return users, nil
}

// ReadUsersFile reads a users file from disk (ParseUsers).
func ReadUsersFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	defer f.Close()
	users, err := ParseUsers(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return users, nil
}
