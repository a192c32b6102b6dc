package hqapi

import _ "embed"

// The OpenAPI document is written by hand; a test holds it to the routes
// gin actually serves, in both directions, and its schemas to the Go types.
//
//go:embed openapi.json
var openAPIJSON []byte
