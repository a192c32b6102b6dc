// Package r2000 speaks the serial protocol of UHF RFID readers built on the
// Impinj Indy R2000 chip: the "A0" protocol of the "UHF RFID Reader Serial
// Interface Protocol" (V2.38 as "Serial Protocol User's Guide", V3.x under
// its current title), shared by many white-label fixed and desktop readers.
//
// Every layout in this package comes from that document:
//
//   - §1 "Specification of the Data Packet": Head 0xA0, Len (the number of
//     bytes after Len, Check included), Address, Cmd, Data, Check; Check is
//     the two's complement of the 8-bit sum of every byte before it.
//   - §2.1 reader commands: cmd_reset 0x70, cmd_get_firmware_version 0x72
//     (reply Major, Minor), cmd_set_work_antenna 0x74, cmd_get_work_antenna
//     0x75, cmd_set_output_power 0x76 (one byte for every port, or one per
//     port), cmd_get_output_power 0x77, cmd_set_frequency_region 0x78
//     (Region, StartFreq, EndFreq as indices of the frequency table).
//   - §2.2 ISO 18000-6C commands: cmd_inventory 0x80 (buffered),
//     cmd_real_time_inventory 0x89 (Repeat; tag packets FreqAnt PC EPC RSSI,
//     then AntID ReadRate TotalRead, or one ErrorCode byte),
//     cmd_fast_switch_ant_inventory 0x8A (antenna/stay pairs, Interval,
//     Repeat; tag packets as 0x89, an AntID ErrorCode pair for a missing
//     antenna, and TotalRead(3) CommandDuration(4) at the end).
//   - §2.4 buffer commands: cmd_get_inventory_buffer 0x90 (TagCount DataLen
//     PC EPC CRC RSSI FreqAnt InvCount per tag).
//   - §3 the error code table; the appendix tables: frequency parameters
//     (0x00 = 865.00 MHz
//     in 0.5 MHz steps to 0x06 = 868.00 MHz, 0x07 = 902.00 MHz in 0.5 MHz
//     steps to 0x3B = 928.00 MHz) and RSSI parameters (98 = -31 dBm down to
//     90 = -39 dBm, then 89 = -41 dBm down to 31 = -99 dBm).
//
// FreqAnt carries the frequency index in its high 6 bits and the antenna
// (0-3) in its low 2 bits. Eight-port readers report antennas 5-8 by also
// setting bit 7 of the RSSI byte, which the RSSI table never uses.
//
// The codec (Splitter, AppendPacket, the Parse functions) does no I/O and is
// fuzzed; the driver (New) runs it over a devices.Link.
package r2000
