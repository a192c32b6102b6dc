// Package hid decodes USB barcode scanners that speak HID: the HID POS
// scanned-data reports (codec "hid-pos") and keyboard-wedge key reports
// (codec "hid-keyboard"). The codecs are pure (bytes in, scans out); the
// drivers read one report per Link.Read, so they run over the USB transport
// (devices/usb) or any Link that keeps report boundaries.
//
// # HID POS
//
// Usage page 0x8C (HID Point of Sale Usage Tables 1.02, USB-IF, 2001). The
// report layout is the one Honeywell documents for its scanners' HID POS
// interface (terminal ID 131), "USB Interfaces" application note (Hand Held
// Products, 2006), chapter 1, "HID POS Interface / Getting Scanned Data",
// also published in Access-IS reader manuals with a worked two-report
// example; see pos.go for the byte table. Newland and ID TECH HID POS
// scanners use another layout (data from byte 2, symbology ID at byte 62):
// they are not this codec. A scan spread over several reports is put back
// together by the "decoded data continued" bit; a rejected report spoils the
// scan it is part of, and the rest of that scan is skipped, not reported.
//
// # Keyboard wedge
//
// Boot-protocol keyboard reports (HID 1.11 appendix B.1): modifier bits, a
// reserved byte and up to six key usages of the Keyboard/Keypad page 0x07
// (HID Usage Tables 1.12 section 10). A key types when its usage first
// appears; a held key does not repeat; ErrorRollOver (0x01) reports are
// phantom states and skipped. Usages become characters through a Layout
// (LayoutUS, LayoutDE) with shift and AltGr levels and the German dead keys.
// GS and other control characters arrive as Ctrl with the key that types
// the matching character in the layout (Ctrl+] on US; on German, ] is
// AltGr+9, so Ctrl+AltGr+9), or as Alt with the code on the keypad (Alt+0029),
// read as Windows reads it. The profile's suffix picks the key that ends a
// scan (Enter or Tab); its AIM flag says the scan starts with the identifier
// typed as text ("]C1..."), which is then split off. Keyboards that use
// report ids send 9-byte reports in report protocol; open a keyboard wedge
// with usb.Selector.BootProtocol so that it sends the 8-byte boot report.
//
// The test reports in testdata/ were constructed from these documents
// (testdata/gen_reports.py), apart from seven HID POS reports published as
// captured from a Honeywell 1602g; no scanner is attached where this is
// built and tested.
package hid
