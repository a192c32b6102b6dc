package main

import (
	"fmt"
	"strconv"

	"github.com/partsedge/partsedge/inventory"
)

func (a *app) users(name string, args []string) error {
	sub, args, err := a.subcommand(name, args, [][2]string{
		{"list", "list API users"},
		{"add NAME --role ROLE", "create a user and print its first token"},
		{"token NAME", "issue another token for a user"},
	})
	if err != nil {
		return err
	}
	name += " " + sub
	switch sub {
	case "list":
		return a.usersList(name, args)
	case "add":
		return a.usersAdd(name, args)
	}
	return a.usersToken(name, args)
}

func (a *app) usersList(name string, args []string) error {
	fs := a.newFlags(name, "[--format table|json]", "List API users.")
	fs.connFlags()
	format := fs.addFormat("table", "json")
	if _, err := fs.parse(args, 0, 0); err != nil {
		return err
	}
	c, err := a.client(defaultTimeout)
	if err != nil {
		return err
	}
	path := apiPath("users")
	b, err := c.get(a.ctx, path, nil)
	if err != nil {
		return err
	}
	page, err := decodeList(path, b)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(a.stdout, page.Items)
	}
	users, err := decodeItems[inventory.User](path, page.Items)
	if err != nil {
		return err
	}
	t := &table{head: []string{"NAME", "ROLE", "DISABLED", "CREATED"}}
	for _, u := range users {
		t.add(u.Name, u.Role, strconv.FormatBool(u.Disabled), fmtTime(u.Created))
	}
	return t.write(a.stdout)
}

func (a *app) usersAdd(name string, args []string) error {
	fs := a.newFlags(name, "NAME --role ROLE [--format table|json]",
		"Create an API user and print its first token on stdout. The token is shown once: store it now.")
	fs.connFlags()
	role := fs.fs.String("role", "", "the user's role (required; depotd defines the roles)")
	format := fs.addFormat("table", "json")
	pos, err := fs.parse(args, 1, 1)
	if err != nil {
		return err
	}
	if *role == "" {
		return fs.usageError("--role is required")
	}
	return a.issueToken(apiPath("users"), map[string]string{"name": pos[0], "role": *role}, *format)
}

func (a *app) usersToken(name string, args []string) error {
	fs := a.newFlags(name, "NAME [--format table|json]",
		"Issue another token for a user and print it on stdout. The token is shown once: store it now.")
	fs.connFlags()
	format := fs.addFormat("table", "json")
	pos, err := fs.parse(args, 1, 1)
	if err != nil {
		return err
	}
	return a.issueToken(apiPath("users", pos[0], "tokens"), nil, *format)
}

// issueToken posts to an endpoint that answers with {"token", ...} and
// prints the token alone, so a script can capture it.
func (a *app) issueToken(path string, body any, format string) error {
	c, err := a.client(defaultTimeout)
	if err != nil {
		return err
	}
	b, _, err := c.post(a.ctx, path, body, newKey())
	if err != nil {
		return err
	}
	if format == "json" {
		return writeRawJSON(a.stdout, b)
	}
	var ans struct {
		Token string `json:"token"`
	}
	if err := decodeAnswer(path, b, &ans); err != nil {
		return err
	}
	if ans.Token == "" {
		return fmt.Errorf("depotd's answer to %s holds no token", path)
	}
	fmt.Fprintln(a.stdout, ans.Token)
	fmt.Fprintln(a.stderr, "depotctl: the token is shown once: store it now")
	return nil
}
