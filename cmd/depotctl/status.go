package main

import (
	"fmt"
)

// statusInfo is GET /api/v1/status.
type statusInfo struct {
	Depot   string `json:"depot"`
	Seq     uint64 `json:"seq"`
	Epoch   uint32 `json:"epoch"`
	Hash    string `json:"hash"`
	Version string `json:"version"`
}

func (a *app) status(name string, args []string) error {
	fs := a.newFlags(name, "[--format table|json]", "Show the depot, the head of its event log and depotd's version.")
	fs.connFlags()
	format := fs.addFormat("table", "json")
	if _, err := fs.parse(args, 0, 0); err != nil {
		return err
	}
	c, err := a.client(defaultTimeout)
	if err != nil {
		return err
	}
	path := apiPath("status")
	raw, err := c.get(a.ctx, path, nil)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeRawJSON(a.stdout, raw)
	}
	var s statusInfo
	if err := decodeAnswer(path, raw, &s); err != nil {
		return err
	}
	t := &table{}
	t.add("depot", s.Depot)
	t.add("seq", fmt.Sprint(s.Seq))
	t.add("epoch", fmt.Sprint(s.Epoch))
	t.add("hash", orDash(s.Hash))
	t.add("version", s.Version)
	t.add("server", c.base)
	return t.write(a.stdout)
}
