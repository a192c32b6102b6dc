package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestDecodeAndEPCCommands(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want map[string]any // top-level fields the JSON must hold
		err  string         // part of the message on stderr
	}{
		{"GS1-128 with AIM and a typed separator", []string{"decode", "]C1010950110153000310AB-123<GS>17140704"}, 0,
			map[string]any{"kind": "gs1", "aimId": "]C1", "gtin": "09501101530003", "lot": "AB-123", "expiry": "2014-07-04"}, ""},
		{"the GS byte itself", []string{"decode", "]d2010950110153000310AB-123\x1d21SN-9"}, 0,
			map[string]any{"kind": "gs1", "symbology": "GS1 DataMatrix", "serial": "SN-9"}, ""},
		{"AIM apart", []string{"decode", "--aim", "]Q3", "00106141411234567897"}, 0,
			map[string]any{"sscc": "106141411234567897"}, ""},
		{"human form with day 00", []string{"decode", "(01)09501101530003(17)140700(10)AB-123"}, 0,
			map[string]any{"expiry": "2014-07-31", "hri": "(01)09501101530003(17)140700(10)AB-123"}, ""},
		{"EAN-13", []string{"decode", "]E04006381333931"}, 0, map[string]any{"gtin": "04006381333931"}, ""},
		{"digital link", []string{"decode", "https://id.example.com/01/09506000134352/10/ABC123?17=201225"}, 0,
			map[string]any{"gtin": "09506000134352", "lot": "ABC123"}, ""},
		{"non-GS1 symbology is text", []string{"decode", "--aim", "]C0", "SUP-77"}, 0,
			map[string]any{"kind": "text", "data": "SUP-77"}, ""},
		{"bad check digit", []string{"decode", "0109501101530004"}, 2, nil, "bad_check_digit"},
		{"not GS1 without an AIM", []string{"decode", "SUP-77"}, 2, nil, "unknown_ai"},
		{"no data", []string{"decode"}, 2, nil, "missing arguments"},
		{"SGTIN-96 hex", []string{"epc", "3074257BF7194E4000001A85"}, 0,
			map[string]any{"scheme": "sgtin-96", "tagUri": "urn:epc:tag:sgtin-96:3.0614141.812345.6789", "pureUri": "urn:epc:id:sgtin:0614141.812345.6789"}, ""},
		{"tag URI", []string{"epc", "urn:epc:tag:sgtin-96:3.0614141.812345.6789"}, 0,
			map[string]any{"hex": "3074257BF7194E4000001A85"}, ""},
		{"bad hex", []string{"epc", "30zz"}, 2, nil, "bad_hex"},
		{"bad URI", []string{"epc", "urn:epc:id:sgtin:0614141.812345"}, 2, nil, "epc"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, strings.NewReader(""), &stdout, &stderr, nil)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, tc.code, stdout.String(), stderr.String())
			}
			if tc.err != "" && !strings.Contains(stderr.String(), tc.err) {
				t.Fatalf("stderr %q lacks %q", stderr.String(), tc.err)
			}
			if tc.code != 0 {
				if stdout.Len() != 0 {
					t.Fatalf("a refusal printed %q", stdout.String())
				}
				return
			}
			var got map[string]any
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Fatalf("not one JSON object: %v\n%s", err, stdout.String())
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
			if got["kind"] == "gs1" {
				els, ok := got["elements"].([]any)
				if !ok || len(els) == 0 {
					t.Fatalf("no elements: %s", stdout.String())
				}
				for _, e := range els {
					m := e.(map[string]any)
					if _, ok := m["ai"].(string); !ok || len(m) != 2 {
						t.Fatalf("element %v is not {\"ai\",\"value\"}", m)
					}
				}
			}
		})
	}
}
