// Package scanner speaks to barcode scanners that send each scan as text on
// a serial line (RS-232, or USB in CDC-ACM/virtual COM mode): the codec named
// "serial-scanner".
//
// A scan on the wire is, in this order (Framing in the profile says which
// parts are there):
//
//	[STX 0x02] [prefix] []cm AIM symbology identifier] data [suffix] [ETX 0x03]
//
// The framer also takes the suffix after the ETX (some scanners send the
// "record suffix" last), so either order of suffix and ETX is read.
//
// The AIM symbology identifier is ISO/IEC 15424's; devices/gs1 holds the
// table that names them, shared with the other scanner drivers.
package scanner

import "github.com/partsedge/partsedge/devices/gs1"

// Symbology names the symbology of an AIM identifier, as gs1.Symbology does.
// It stays here because the devsim text-scanner emulator's tests check the
// driver's scans against it without importing the GS1 parser.
func Symbology(aimID string) string { return gs1.Symbology(aimID) }
