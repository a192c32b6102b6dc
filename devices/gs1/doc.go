// Package gs1 decodes what a barcode scanner reads into GS1 data and writes it back: GS1
// element strings as scanners transmit them (AIM symbology identifier, FNC1 sent as GS), the
// bracketed human readable form, EAN/UPC numbers as GTINs, and GS1 Digital Link URIs.
//
// The rules come from the GS1 General Specifications (GenSpecs): section 3 for the Application
// Identifiers, 4.14 for invalid combinations, 7.8 for FNC1 and predefined-length element strings,
// 7.9 for check digits and check character pairs, 7.11 for the character sets and 7.12 for dates;
// and from the GS1 Digital Link URI syntax standard 1.x for URIs. Errors are *Error values with a
// stable Code, the offending AI and the byte offset in the input.
package gs1
