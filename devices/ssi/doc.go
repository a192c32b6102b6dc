// Package ssi speaks Zebra's (formerly Symbol's and Motorola's) Simple Serial
// Interface to barcode scanners and scan engines on a serial line.
//
// The package has two halves. The codec (Parse, AppendPacket, Checksum,
// Reassembler, the parameter and code type helpers) turns bytes into packets
// and back and does no I/O, so it can be golden-tested and fuzzed. The driver
// (New) runs the protocol over a devices.Link: it puts the scanner into
// packeted decode data mode with ACK/NAK handshaking, applies the profile's
// parameters, asks for the revision, and then acknowledges each DECODE_DATA
// packet and reports the scans.
//
// Sources, all public:
//
//   - Simple Serial Interface Programmer's Guide, 72E-40451-03 Rev. A (May
//     2015) and 72E-40451-04EN Rev. A (January 2021), chapter 2 "SSI
//     Protocol": the packet layout (Length, Opcode, Message Source, Status,
//     Data, 2-byte checksum), the opcodes, CMD_NAK causes, PARAM_SEND.
//   - The "SSI Interface" chapter of the Zebra product reference guides
//     (DS4308 PRG chapter 7, DS2278/DS8178 PRG chapter 8, DS9908 PRG, MP72
//     programming guide, CR6080 reference guide): the opcode table, "ACK/NAK
//     Handshaking", "Transfer of Decode Data" (the scanner waits for CMD_ACK,
//     tries two more times, retries on CMD_NAK per its cause), "Software
//     Handshaking, parameter # 159 (SSI # 9Fh)", "Decode Data Packet Format,
//     parameter # 238 (SSI # EEh)", "Host Serial Response Time-out" and the
//     extended parameter notation (SSI # F0h xx for 256-511, F1h xx for
//     512-767, F2h xx for 768-1023).
//   - Motorola SE955 Integration Guide chapter 10 "Simple Serial Interface"
//     (CMD_ACK host and decoder requirements: resend with the retransmit bit,
//     the decoder retries twice; PARAM_SEND status bit 3 change type, beep code
//     0xFF for no beep).
//   - The code type (bar code type) and beep code values as the SSI guide's
//     DECODE_DATA and BEEP sections list them; the same values are published
//     in Zebra's Scanner SDK headers (ST_* symbology types, ONESHORTHI..LOHILO
//     beep codes).
//
// AIM symbology identifiers come from ISO/IEC 15424 and the GS1 General
// Specifications (]C1 GS1-128, ]d2 GS1 DataMatrix, ]Q3 GS1 QR Code, ]e0 GS1
// DataBar, ]E0 EAN/UPC).
package ssi
