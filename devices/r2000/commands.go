package r2000

import (
	"fmt"
	"strings"
)

// MaxPowerDBm is the top of cmd_set_output_power's range (0 to 33
// dBm, one byte per dBm).
const MaxPowerDBm = 33

// AppendGetFirmwareVersion appends cmd_get_firmware_version (§2.1.3).
func AppendGetFirmwareVersion(dst []byte, addr byte) []byte {
	return AppendPacket(dst, addr, CmdGetFirmwareVersion)
}

// AppendSetWorkAntenna appends cmd_set_work_antenna for a 1-based
// antenna; the wire carries AntennaID 0 for antenna 1.
func AppendSetWorkAntenna(dst []byte, addr byte, antenna int) []byte {
	return AppendPacket(dst, addr, CmdSetWorkAntenna, byte(antenna-1))
}

// AppendSetOutputPower appends cmd_set_output_power in its
// one-byte form, which sets every antenna port to dbm.
func AppendSetOutputPower(dst []byte, addr byte, dbm byte) []byte {
	return AppendPacket(dst, addr, CmdSetOutputPower, dbm)
}

// AppendGetOutputPower appends cmd_get_output_power.
func AppendGetOutputPower(dst []byte, addr byte) []byte {
	return AppendPacket(dst, addr, CmdGetOutputPower)
}

// AppendSetFrequencyRegion appends cmd_set_frequency_region for a
// system-defined region: Region, StartFreq, EndFreq.
func AppendSetFrequencyRegion(dst []byte, addr byte, r Region) []byte {
	return AppendPacket(dst, addr, CmdSetFrequencyRegion, r.Code, r.Start, r.End)
}

// AppendRealTimeInventory appends cmd_real_time_inventory with the
// number of inventory rounds to run.
func AppendRealTimeInventory(dst []byte, addr, repeat byte) []byte {
	return AppendPacket(dst, addr, CmdRealTimeInventory, repeat)
}

// AppendFastSwitch appends cmd_fast_switch_ant_inventory: an
// antenna/stay pair for each of ports (4 or 8) slots, then Interval (ms
// with the carrier off between antennas) and Repeat (times to run the
// sequence). Antennas are 1-based; slots past the list are filled with
// antenna 0xFF, which the manual says the reader skips (any ID above the
// last port).
func AppendFastSwitch(dst []byte, addr byte, ports int, antennas []int, stay, interval, repeat byte) []byte {
	var data [2*8 + 2]byte
	n := 0
	for i := range ports {
		if i < len(antennas) {
			data[n], data[n+1] = byte(antennas[i]-1), stay
		} else {
			data[n], data[n+1] = 0xFF, 0
		}
		n += 2
	}
	data[n], data[n+1] = interval, repeat
	return AppendPacket(dst, addr, CmdFastSwitchAntInventory, data[:n+2]...)
}

// AppendReset appends cmd_reset (§2.1.1). The reader answers only when the
// reset fails; otherwise it restarts.
func AppendReset(dst []byte, addr byte) []byte { return AppendPacket(dst, addr, CmdReset) }

// ParseStatus decodes the one-byte ErrorCode answer of a set command: nil
// for command_success, a *ReaderError otherwise.
func ParseStatus(p Packet) error {
	if len(p.Data) != 1 {
		return fmt.Errorf("r2000: answer to 0x%02X has %d data bytes, want one status byte", p.Cmd, len(p.Data))
	}
	if c := ErrorCode(p.Data[0]); c != CommandSuccess {
		return &ReaderError{Cmd: p.Cmd, Code: c}
	}
	return nil
}

// ParseFirmwareVersion decodes cmd_get_firmware_version's answer (Major,
// Minor) as "Major.Minor".
func ParseFirmwareVersion(p Packet) (string, error) {
	switch len(p.Data) {
	case 2:
		return fmt.Sprintf("%d.%d", p.Data[0], p.Data[1]), nil
	case 1:
		return "", &ReaderError{Cmd: p.Cmd, Code: ErrorCode(p.Data[0])}
	}
	return "", fmt.Errorf("r2000: firmware version answer has %d data bytes, want 2", len(p.Data))
}

// ParseOutputPower decodes cmd_get_output_power's answer: one byte when
// every port has the same power, else one byte per port.
func ParseOutputPower(p Packet) ([]byte, error) {
	switch len(p.Data) {
	case 1, 4, 8:
		return p.Data, nil
	}
	return nil, fmt.Errorf("r2000: output power answer has %d data bytes, want 1, 4 or 8", len(p.Data))
}

// Region is a system-defined frequency region of cmd_set_frequency_region
// and the frequency indices it hops between.
type Region struct {
	Name       string
	Code       byte
	Start, End byte
}

// The manual's system-defined regions, each over its whole band of the
// frequency parameter table.
var regions = []Region{
	{"FCC", 0x01, 0x07, 0x3B},  // 902.00-928.00 MHz
	{"ETSI", 0x02, 0x00, 0x06}, // 865.00-868.00 MHz
	{"CHN", 0x03, 0x2B, 0x35},  // 920.00-925.00 MHz
}

// RegionByName returns a system-defined region: FCC (or US), ETSI (or EU),
// CHN (or CN), in any case.
func RegionByName(name string) (Region, error) {
	n := strings.ToUpper(strings.TrimSpace(name))
	switch n {
	case "US":
		n = "FCC"
	case "EU":
		n = "ETSI"
	case "CN":
		n = "CHN"
	}
	for _, r := range regions {
		if r.Name == n {
			return r, nil
		}
	}
	return Region{}, fmt.Errorf("r2000: region %q: the reader knows FCC (US), ETSI (EU) and CHN (CN)", name)
}
