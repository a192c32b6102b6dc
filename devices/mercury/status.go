package mercury

import "fmt"

// Status codes a reader puts in a reply's status word, with the names and
// meanings of the Mercury API's tmr_status.h (TMR_ERROR_CODE values).
const (
	StatusOK                  = 0x0000
	StatusWrongNumberOfData   = 0x0100
	StatusInvalidOpcode       = 0x0101
	StatusUnimplementedOpcode = 0x0102
	StatusPowerTooHigh        = 0x0103
	StatusInvalidFreq         = 0x0104
	StatusInvalidParameter    = 0x0105
	StatusPowerTooLow         = 0x0106
	StatusUnimplementedFeat   = 0x0109
	StatusInvalidBaudRate     = 0x010A
	StatusInvalidRegion       = 0x010B
	StatusNoTagsFound         = 0x0400
	StatusNoProtocolDefined   = 0x0401
	StatusInvalidProtocol     = 0x0402
	StatusAFENotOn            = 0x0405
	StatusAntennaNotConnected = 0x0503
	StatusTagBufferNotEnough  = 0x0600
	StatusTagBufferFull       = 0x0601
)

type statusInfo struct{ name, msg string }

var statusTable = map[uint16]statusInfo{
	0x0100: {"MSG_WRONG_NUMBER_OF_DATA", "invalid number of arguments"},
	0x0101: {"INVALID_OPCODE", "command opcode not recognized"},
	0x0102: {"UNIMPLEMENTED_OPCODE", "command opcode recognized, but not supported"},
	0x0103: {"MSG_POWER_TOO_HIGH", "requested power setting is above the allowed maximum"},
	0x0104: {"MSG_INVALID_FREQ_RECEIVED", "requested frequency is outside the allowed range"},
	0x0105: {"MSG_INVALID_PARAMETER_VALUE", "parameter value is outside the allowed range"},
	0x0106: {"MSG_POWER_TOO_LOW", "requested power setting is below the allowed minimum"},
	0x0109: {"UNIMPLEMENTED_FEATURE", "command not supported"},
	0x010A: {"INVALID_BAUD_RATE", "requested serial speed is not supported"},
	0x010B: {"INVALID_REGION", "region is not supported"},
	0x010C: {"INVALID_LICENSE_KEY", "license key code is invalid"},
	0x0200: {"BL_INVALID_IMAGE_CRC", "firmware is corrupt: checksum doesn't match content"},
	0x0201: {"BL_INVALID_APP_END_ADDR", "firmware image end address is invalid"},
	0x0300: {"FLASH_BAD_ERASE_PASSWORD", "internal reader error"},
	0x0301: {"FLASH_BAD_WRITE_PASSWORD", "internal reader error"},
	0x0302: {"FLASH_UNDEFINED_SECTOR", "internal reader error"},
	0x0303: {"FLASH_ILLEGAL_SECTOR", "internal reader error"},
	0x0304: {"FLASH_WRITE_TO_NON_ERASED_AREA", "internal reader error"},
	0x0305: {"FLASH_WRITE_TO_ILLEGAL_SECTOR", "internal reader error"},
	0x0306: {"FLASH_VERIFY_FAILED", "internal reader error"},
	0x0400: {"NO_TAGS_FOUND", "reader was asked to find tags, but none were detected"},
	0x0401: {"NO_PROTOCOL_DEFINED", "RFID protocol has not been configured"},
	0x0402: {"INVALID_PROTOCOL_SPECIFIED", "requested RFID protocol is not recognized"},
	0x0403: {"WRITE_PASSED_LOCK_FAILED", "tag was written, but lock failed"},
	0x0404: {"PROTOCOL_NO_DATA_READ", "tag data was requested, but could not be read"},
	0x0405: {"AFE_NOT_ON", "reader has not turned on its radio; is the region set?"},
	0x0406: {"PROTOCOL_WRITE_FAILED", "write to tag failed"},
	0x0407: {"NOT_IMPLEMENTED_FOR_THIS_PROTOCOL", "command is not supported in the current RFID protocol"},
	0x0408: {"PROTOCOL_INVALID_WRITE_DATA", "data does not conform to protocol standards"},
	0x0409: {"PROTOCOL_INVALID_ADDRESS", "requested data address is outside the valid range"},
	0x040A: {"GENERAL_TAG_ERROR", "unknown error during RFID operation"},
	0x040B: {"DATA_TOO_LARGE", "read tag data was asked for more data than it supports"},
	0x040C: {"PROTOCOL_INVALID_KILL_PASSWORD", "incorrect kill password"},
	0x040E: {"PROTOCOL_KILL_FAILED", "kill failed"},
	0x040F: {"PROTOCOL_BIT_DECODING_FAILED", "internal reader error"},
	0x0410: {"PROTOCOL_INVALID_EPC", "internal reader error"},
	0x0411: {"PROTOCOL_INVALID_NUM_DATA", "internal reader error"},
	0x0413: {"PROTOCOL_INVALID_TAG_OP", "internal reader error"},
	0x0420: {"GEN2_PROTOCOL_OTHER_ERROR", "Gen2 tag error: other"},
	0x0423: {"GEN2_PROTOCOL_MEMORY_OVERRUN_BAD_PC", "Gen2 tag error: memory overrun or bad PC"},
	0x0424: {"GEN2_PROTOCOL_MEMORY_LOCKED", "Gen2 tag error: memory locked"},
	0x0425: {"GEN2_PROTOCOL_V2_AUTHEN_FAILED", "authentication failed with the specified key"},
	0x0426: {"GEN2_PROTOCOL_V2_UNTRACE_FAILED", "untrace operation failed"},
	0x042B: {"GEN2_PROTOCOL_INSUFFICIENT_POWER", "Gen2 tag error: insufficient power"},
	0x042F: {"GEN2_PROTOCOL_NON_SPECIFIC_ERROR", "Gen2 tag error: non-specific"},
	0x0430: {"GEN2_PROTOCOL_UNKNOWN_ERROR", "Gen2 tag error: unknown"},
	0x04A7: {"PROTOCOL_AUTH_FAILED", "internal reader error"},
	0x0500: {"AHAL_INVALID_FREQ", "frequency outside the specified range"},
	0x0501: {"AHAL_CHANNEL_OCCUPIED", "LBT: the channel is occupied"},
	0x0502: {"AHAL_TRANSMITTER_ON", "checking antenna status while CW is on is not allowed"},
	0x0503: {"ANTENNA_NOT_CONNECTED", "antenna not detected during pre-transmit safety test"},
	0x0504: {"TEMPERATURE_EXCEED_LIMITS", "reader temperature outside safe range"},
	0x0505: {"HIGH_RETURN_LOSS", "excess power detected at transmitter port (antenna mismatch)"},
	0x0507: {"INVALID_ANTENNA_CONFIG", "invalid antenna configuration"},
	0x0509: {"IPVOLTAGE_EXCEEDED_LIMITS", "reader DC voltage outside safe range"},
	0x0600: {"TAG_ID_BUFFER_NOT_ENOUGH_TAGS_AVAILABLE", "asked for more tags than were available in the buffer"},
	0x0601: {"TAG_ID_BUFFER_FULL", "too many tags are in the buffer"},
	0x0602: {"TAG_ID_BUFFER_REPEATED_TAG_ID", "internal error: duplicate tag record"},
	0x0603: {"TAG_ID_BUFFER_NUM_TAG_TOO_LARGE", "asked for more tags than a single transaction can handle"},
	0x0604: {"TAG_ID_BUFFER_AUTH_REQUEST", "blocked response to get additional data from host"},
	0x7F00: {"SYSTEM_UNKNOWN_ERROR", "internal reader error"},
	0x7F01: {"TM_ASSERT_FAILED", "internal reader error: assertion failed"},
}

// StatusName returns the Mercury API's name of a status code ("NO_TAGS_FOUND"),
// or "UNKNOWN" for a code tmr_status.h does not list.
func StatusName(code uint16) string {
	if code == 0 {
		return "SUCCESS"
	}
	if s, ok := statusTable[code]; ok {
		return s.name
	}
	return "UNKNOWN"
}

// StatusError is a reply whose status word is not zero: the reader took the
// frame but refused or failed the command.
type StatusError struct {
	Op   byte   // the command's opcode
	Code uint16 // the status word
}

// Name is the Mercury API's name of the code.
func (e *StatusError) Name() string { return StatusName(e.Code) }

func (e *StatusError) Error() string {
	msg := "status code not in the Mercury API's table"
	if s, ok := statusTable[e.Code]; ok {
		msg = s.msg
	}
	return fmt.Sprintf("mercury: opcode 0x%02X: status 0x%04X %s: %s", e.Op, e.Code, e.Name(), msg)
}

// Is matches another *StatusError with the same code (and opcode, when the
// target names one), so errors.Is(err, &StatusError{Code: StatusNoTagsFound}) works.
func (e *StatusError) Is(target error) bool {
	t, ok := target.(*StatusError)
	return ok && t.Code == e.Code && (t.Op == 0 || t.Op == e.Op)
}
