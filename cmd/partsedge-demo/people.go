package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Person is a demo user other than the admin, so the screens can be seen
// as each role sees them: a planner at HQ, a storekeeper and an engineer
// at each depot.
type Person struct {
	Where string // "HQ" or the depot's id
	Name  string
	Role  string
	Token string
}

// demoPeople is who each place gets.
func demoPeople() map[string][]string {
	return map[string][]string{"HQ": {"planner"}, "depot": {"storekeeper", "engineer"}}
}

// people makes the demo's users and their tokens. The API makes the
// tokens and shows each once, so they are kept in <data>/tokens: a restart
// of the demo reads them instead of making new ones.
func (d *Demo) people(ctx context.Context) error {
	path := filepath.Join(d.opts.Data, "tokens")
	kept, err := readPeople(path)
	if err != nil {
		return err
	}
	places := []struct{ where, url string }{{"HQ", d.HQURL}}
	for _, dep := range d.Depots {
		places = append(places, struct{ where, url string }{dep.ID, dep.URL})
	}
	roles := demoPeople()
	for _, pl := range places {
		kind := "depot"
		if pl.where == "HQ" {
			kind = "HQ"
		}
		for _, role := range roles[kind] {
			if p, ok := kept[pl.where+" "+role]; ok {
				d.People = append(d.People, p)
				continue
			}
			p := Person{Where: pl.where, Name: role, Role: role}
			body := fmt.Sprintf(`{"name":%q,"role":%q}`, role, role)
			status, b, err := d.call(ctx, "POST", pl.url+"/api/v1/users", "demo-user-"+role, body)
			if err == nil && status == http.StatusConflict {
				// The user is there from an earlier run whose tokens file is
				// gone: give it a new token.
				status, b, err = d.call(ctx, "POST", pl.url+"/api/v1/users/"+role+"/tokens", "", "")
			}
			if err != nil {
				return err
			}
			if status/100 != 2 {
				return fmt.Errorf("%s: make user %s: %d %s", pl.where, role, status, b)
			}
			var ans struct {
				Token string `json:"token"`
			}
			if err := json.Unmarshal(b, &ans); err != nil || ans.Token == "" {
				return fmt.Errorf("%s: user %s: no token in %s", pl.where, role, b)
			}
			p.Token = ans.Token
			if err := appendPerson(path, p); err != nil {
				return err
			}
			d.People = append(d.People, p)
		}
	}
	return nil
}

func readPeople(path string) (map[string]Person, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return map[string]Person{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("demo tokens: %w", err)
	}
	defer f.Close()
	out := map[string]Person{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			return nil, fmt.Errorf("demo tokens %s: a line is not 'place role token': %q", path, line)
		}
		out[fields[0]+" "+fields[1]] = Person{Where: fields[0], Name: fields[1], Role: fields[1], Token: fields[2]}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("demo tokens: %w", err)
	}
	return out, nil
}

func appendPerson(path string, p Person) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("demo tokens: %w", err)
	}
	if _, err := fmt.Fprintf(f, "%s %s %s\n", p.Where, p.Role, p.Token); err != nil {
		f.Close()
		return fmt.Errorf("demo tokens: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("demo tokens: %w", err)
	}
	return f.Close()
}
