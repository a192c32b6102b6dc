package api

import _ "embed"

// The OpenAPI document is written by hand; a test holds it to the routes
// gin actually serves, in both directions.
//
//go:embed openapi.json
var openAPIJSON []byte

func openAPIDocument() []byte { return openAPIJSON }
