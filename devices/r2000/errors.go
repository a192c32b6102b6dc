package r2000

import "fmt"

// ErrorCode is a reader status byte from the manual's error code table (§3).
type ErrorCode byte

// The codes of the manual's error code table (§3), named as it names them.
const (
	CommandSuccess                            ErrorCode = 0x10
	CommandFail                               ErrorCode = 0x11
	MCUResetError                             ErrorCode = 0x20
	CWOnError                                 ErrorCode = 0x21
	AntennaMissingError                       ErrorCode = 0x22
	WriteFlashError                           ErrorCode = 0x23
	ReadFlashError                            ErrorCode = 0x24
	SetOutputPowerError                       ErrorCode = 0x25
	TagInventoryError                         ErrorCode = 0x31
	TagReadError                              ErrorCode = 0x32
	TagWriteError                             ErrorCode = 0x33
	TagLockError                              ErrorCode = 0x34
	TagKillError                              ErrorCode = 0x35
	NoTagError                                ErrorCode = 0x36
	InventoryOKButAccessFail                  ErrorCode = 0x37
	BufferIsEmptyError                        ErrorCode = 0x38
	NXPCustomCommandFail                      ErrorCode = 0x3C
	AccessOrPasswordError                     ErrorCode = 0x40
	ParameterInvalid                          ErrorCode = 0x41
	ParameterInvalidWordCntTooLong            ErrorCode = 0x42
	ParameterInvalidMembankOutOfRange         ErrorCode = 0x43
	ParameterInvalidLockRegionOutOfRange      ErrorCode = 0x44
	ParameterInvalidLockActionOutOfRange      ErrorCode = 0x45
	ParameterReaderAddressInvalid             ErrorCode = 0x46
	ParameterInvalidAntennaIDOutOfRange       ErrorCode = 0x47
	ParameterInvalidOutputPowerOutOfRange     ErrorCode = 0x48
	ParameterInvalidFrequencyRegionOutOfRange ErrorCode = 0x49
	ParameterInvalidBaudrateOutOfRange        ErrorCode = 0x4A
	ParameterBeeperModeOutOfRange             ErrorCode = 0x4B
	ParameterEPCMatchLenTooLong               ErrorCode = 0x4C
	ParameterEPCMatchLenError                 ErrorCode = 0x4D
	ParameterInvalidEPCMatchMode              ErrorCode = 0x4E
	ParameterInvalidFrequencyRange            ErrorCode = 0x4F
	FailToGetRN16FromTag                      ErrorCode = 0x50
	ParameterInvalidDRMMode                   ErrorCode = 0x51
	PLLLockFail                               ErrorCode = 0x52
	RFChipFailToResponse                      ErrorCode = 0x53
	FailToAchieveDesiredOutputPower           ErrorCode = 0x54
	CopyrightAuthenticationFail               ErrorCode = 0x55
	SpectrumRegulationError                   ErrorCode = 0x56
	OutputPowerTooLow                         ErrorCode = 0x57
	FailToGetRFPortReturnLoss                 ErrorCode = 0xEE
)

type codeInfo struct{ name, desc string }

var codeTable = map[ErrorCode]codeInfo{
	CommandSuccess:                            {"command_success", "Command succeeded"},
	CommandFail:                               {"command_fail", "Command failed"},
	MCUResetError:                             {"mcu_reset_error", "CPU reset error"},
	CWOnError:                                 {"cw_on_error", "Turn on CW error"},
	AntennaMissingError:                       {"antenna_missing_error", "Antenna is missing"},
	WriteFlashError:                           {"write_flash_error", "Write flash error"},
	ReadFlashError:                            {"read_flash_error", "Read flash error"},
	SetOutputPowerError:                       {"set_output_power_error", "Set output power error"},
	TagInventoryError:                         {"tag_inventory_error", "Error occurred when inventory"},
	TagReadError:                              {"tag_read_error", "Error occurred when read"},
	TagWriteError:                             {"tag_write_error", "Error occurred when write"},
	TagLockError:                              {"tag_lock_error", "Error occurred when lock"},
	TagKillError:                              {"tag_kill_error", "Error occurred when kill"},
	NoTagError:                                {"no_tag_error", "There is no tag to be operated"},
	InventoryOKButAccessFail:                  {"inventory_ok_but_access_fail", "Tag inventoried but access failed"},
	BufferIsEmptyError:                        {"buffer_is_empty_error", "Buffer is empty"},
	NXPCustomCommandFail:                      {"nxp_custom_command_fail", "NXP chip custom command failed"},
	AccessOrPasswordError:                     {"access_or_password_error", "Access failed or wrong password"},
	ParameterInvalid:                          {"parameter_invalid", "Invalid parameter"},
	ParameterInvalidWordCntTooLong:            {"parameter_invalid_wordCnt_too_long", "WordCnt is too long"},
	ParameterInvalidMembankOutOfRange:         {"parameter_invalid_membank_out_of_range", "MemBank out of range"},
	ParameterInvalidLockRegionOutOfRange:      {"parameter_invalid_lock_region_out_of_range", "Lock region out of range"},
	ParameterInvalidLockActionOutOfRange:      {"parameter_invalid_lock_action_out_of_range", "LockType out of range"},
	ParameterReaderAddressInvalid:             {"parameter_reader_address_invalid", "Invalid reader address"},
	ParameterInvalidAntennaIDOutOfRange:       {"parameter_invalid_AntennaID_out_of_range", "AntennaID out of range"},
	ParameterInvalidOutputPowerOutOfRange:     {"parameter_invalid_output_power_out_of_range", "Output power out of range"},
	ParameterInvalidFrequencyRegionOutOfRange: {"parameter_invalid_frequency_region_out_of_range", "Frequency region out of range"},
	ParameterInvalidBaudrateOutOfRange:        {"parameter_invalid_baudrate_out_of_range", "Baud rate out of range"},
	ParameterBeeperModeOutOfRange:             {"parameter_beeper_mode_out_of_range", "Buzzer behaviour out of range"},
	ParameterEPCMatchLenTooLong:               {"parameter_epc_match_len_too_long", "EPC match is too long"},
	ParameterEPCMatchLenError:                 {"parameter_epc_match_len_error", "EPC match length wrong"},
	ParameterInvalidEPCMatchMode:              {"parameter_invalid_epc_match_mode", "Invalid EPC match mode"},
	ParameterInvalidFrequencyRange:            {"parameter_invalid_frequency_range", "Invalid frequency range"},
	FailToGetRN16FromTag:                      {"fail_to_get_RN16_from_tag", "Failed to receive RN16 from tag"},
	ParameterInvalidDRMMode:                   {"parameter_invalid_drm_mode", "Invalid DRM mode"},
	PLLLockFail:                               {"pll_lock_fail", "PLL can not lock"},
	RFChipFailToResponse:                      {"rf_chip_fail_to_response", "No response from RF chip"},
	FailToAchieveDesiredOutputPower:           {"fail_to_achieve_desired_output_power", "Can't achieve desired output power level"},
	CopyrightAuthenticationFail:               {"copyright_authentication_fail", "Can't authenticate firmware copyright"},
	SpectrumRegulationError:                   {"spectrum_regulation_error", "Spectrum regulation wrong"},
	OutputPowerTooLow:                         {"output_power_too_low", "Output power is too low"},
	FailToGetRFPortReturnLoss:                 {"fail_to_get_rf_port_return_loss", "Failed to get RF port return loss"},
}

// Name is the manual's identifier for the code ("antenna_missing_error"),
// or "unknown_error" for a code the table does not list.
func (c ErrorCode) Name() string {
	if i, ok := codeTable[c]; ok {
		return i.name
	}
	return "unknown_error"
}

// Description is the manual's description of the code.
func (c ErrorCode) Description() string {
	if i, ok := codeTable[c]; ok {
		return i.desc
	}
	return "not in the manual's error code table"
}

// Known reports whether the manual's table lists the code.
func (c ErrorCode) Known() bool {
	_, ok := codeTable[c]
	return ok
}

func (c ErrorCode) String() string { return fmt.Sprintf("%s (0x%02X)", c.Name(), byte(c)) }

// ReaderError is a reader's refusal or failure: the command it answered,
// the code, and for cmd_fast_switch_ant_inventory the antenna (1-based) the
// code is about. It is the reader speaking, not a transmission fault.
type ReaderError struct {
	Cmd     byte
	Code    ErrorCode
	Antenna int
}

func (e *ReaderError) Error() string {
	if e.Antenna > 0 {
		return fmt.Sprintf("r2000: command 0x%02X, antenna %d: %s: %s", e.Cmd, e.Antenna, e.Code, e.Code.Description())
	}
	return fmt.Sprintf("r2000: command 0x%02X: %s: %s", e.Cmd, e.Code, e.Code.Description())
}
