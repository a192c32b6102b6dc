// Package mercuryemu plays a ThingMagic M6e-family module (M6e, M6e Micro,
// M6e Nano) on the device side of its serial host protocol, the protocol of
// the Mercury API's SerialReader.
//
// It is written from the protocol's public sources, apart from Partsedge's
// host codec: the Mercury API C SDK (serial_reader_l3.c for frame layouts,
// the version, search, tag buffer, antenna, power, protocol and region
// commands and the tag record layout; tmr_status.h for status codes;
// serial_reader_imp.h for search flags and model ids), and the M6e Nano
// transport logs in SparkFun's Simultaneous RFID Tag Reader library
// ("Example Communication Logs", 2016), which give real replies (version,
// power limits, available regions, tag buffer records).
package mercuryemu

// Frame layouts (serial_reader_l3.c, TMR_SR_sendMessage/receiveMessage):
//
//	command: FF len op data[len] crcHi crcLo
//	reply:   FF len op statusHi statusLo data[len] crcHi crcLo
//
// The CRC runs over every byte after FF.

const soh = 0xFF

// maxCommandData: a command frame fits the module's 256-byte packet buffer
// with its five framing bytes, so a length byte above this is no header.
const maxCommandData = 251

// maxReplyData: hosts running the Mercury API take a reply length above
// 0xF8 for noise.
const maxReplyData = 0xF8

// frameCRC is ThingMagic's message CRC, bit by bit: each message bit is
// shifted into the bottom of a 16-bit register preset to FFFF, and the
// polynomial 0x1021 is added whenever a one falls out of the top. The
// message is not followed by sixteen zero bits, which is what sets it apart
// from CRC-16/CCITT.
func frameCRC(b []byte) uint16 {
	reg := uint16(0xFFFF)
	for _, x := range b {
		for bit := 7; bit >= 0; bit-- {
			out := reg & 0x8000
			reg = reg<<1 | uint16(x>>uint(bit)&1)
			if out != 0 {
				reg ^= 0x1021
			}
		}
	}
	return reg
}

// gen2CRC is the CRC-16 a Gen2 tag stores after its PC and EPC
// (ISO/IEC 13239: polynomial 0x1021, preset FFFF, complemented).
func gen2CRC(b []byte) uint16 {
	reg := uint16(0xFFFF)
	for _, x := range b {
		reg ^= uint16(x) << 8
		for range 8 {
			if reg&0x8000 != 0 {
				reg = reg<<1 ^ 0x1021
			} else {
				reg <<= 1
			}
		}
	}
	return ^reg
}

// replyFrame builds a reply frame.
func replyFrame(op byte, status uint16, data []byte) []byte {
	f := make([]byte, 0, len(data)+7)
	f = append(f, soh, byte(len(data)), op, byte(status>>8), byte(status))
	f = append(f, data...)
	c := frameCRC(f[1:])
	return append(f, byte(c>>8), byte(c))
}

// isWholeReply says whether b starts with a reply frame whose CRC holds:
// a spoiled frame must not be one.
func isWholeReply(b []byte) bool {
	if len(b) < 7 || b[0] != soh || int(b[1]) > maxReplyData || len(b) < int(b[1])+7 {
		return false
	}
	n := int(b[1])
	c := frameCRC(b[1 : n+5])
	return b[n+5] == byte(c>>8) && b[n+6] == byte(c)
}

type command struct {
	op   byte
	data []byte
}

// cutCommand looks for the first whole command frame in b. It returns how
// many bytes to drop from the front of b (noise, a frame whose CRC is
// wrong, or the frame it found), the command when one was found, and
// whether b ends in a partial frame that needs more bytes.
func cutCommand(b []byte) (drop int, cmd command, found bool) {
	for drop < len(b) {
		if b[drop] != soh {
			drop++
			continue
		}
		rest := b[drop:]
		if len(rest) < 2 {
			return drop, command{}, false
		}
		n := int(rest[1])
		if n > maxCommandData {
			drop++
			continue
		}
		if len(rest) < n+5 {
			return drop, command{}, false
		}
		c := frameCRC(rest[1 : n+3])
		if rest[n+3] != byte(c>>8) || rest[n+4] != byte(c) {
			drop++
			continue
		}
		data := append([]byte(nil), rest[3:n+3]...)
		return drop + n + 5, command{op: rest[2], data: data}, true
	}
	return drop, command{}, false
}
