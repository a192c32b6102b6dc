package chafon

import "fmt"

// Status is the reply's result status byte.
type Status byte

// The status values of UHFReader18 manual V2.0 §5 "List of command
// execution result status", with 0xF8 and 0xF9 from the UR-SERIES manual
// v1.14 (antenna check and command execution errors).
const (
	StatusOK               Status = 0x00
	StatusInventoryDone    Status = 0x01 // inventory finished; the data holds every tag found
	StatusInventoryTimeout Status = 0x02 // scan time ran out; the data holds the tags found so far
	StatusMoreData         Status = 0x03 // the tags do not fit one frame; more frames follow
	StatusReaderFull       Status = 0x04 // more tags than the reader can store; the data holds those it kept
	StatusAccessPassword   Status = 0x05
	StatusKillTag          Status = 0x09
	StatusKillPasswordZero Status = 0x0A
	StatusTagNotSupported  Status = 0x0B
	StatusAccessPwdZero    Status = 0x0C
	StatusProtected        Status = 0x0D
	StatusUnprotected      Status = 0x0E
	StatusLockedBytes      Status = 0x10
	StatusCannotLock       Status = 0x11
	StatusLocked           Status = 0x12
	StatusSaveFail         Status = 0x13
	StatusCannotAdjust     Status = 0x14
	Status6BDone           Status = 0x15
	Status6BTimeout        Status = 0x16
	Status6BMoreData       Status = 0x17
	Status6BReaderFull     Status = 0x18
	StatusNotSupported     Status = 0x19
	StatusAntennaError     Status = 0xF8
	StatusExecuteError     Status = 0xF9
	StatusPoorComm         Status = 0xFA
	StatusNoTag            Status = 0xFB
	StatusTagError         Status = 0xFC
	StatusLengthWrong      Status = 0xFD
	StatusIllegalCommand   Status = 0xFE
	StatusParameterError   Status = 0xFF
)

var statusNames = map[Status]string{
	StatusOK:               "success",
	StatusInventoryDone:    "return before inventory finished",
	StatusInventoryTimeout: "inventory scan time overflow",
	StatusMoreData:         "more data",
	StatusReaderFull:       "reader module flash is full",
	StatusAccessPassword:   "access password error",
	StatusKillTag:          "kill tag error",
	StatusKillPasswordZero: "kill password cannot be zero",
	StatusTagNotSupported:  "tag does not support the command",
	StatusAccessPwdZero:    "access password cannot be zero for this command",
	StatusProtected:        "tag is protected, cannot set it again",
	StatusUnprotected:      "tag is unprotected, no need to reset it",
	StatusLockedBytes:      "some bytes are locked, write failed",
	StatusCannotLock:       "cannot lock it",
	StatusLocked:           "is locked, cannot lock it again",
	StatusSaveFail:         "parameter save failed, usable until power off",
	StatusCannotAdjust:     "cannot adjust",
	Status6BDone:           "18000-6B inventory finished",
	Status6BTimeout:        "18000-6B inventory scan time overflow",
	Status6BMoreData:       "18000-6B more data",
	Status6BReaderFull:     "18000-6B reader module flash is full",
	StatusNotSupported:     "command not supported or access password cannot be zero",
	StatusAntennaError:     "antenna error: the antenna may be disconnected",
	StatusExecuteError:     "command execute error",
	StatusPoorComm:         "tag found, poor communication, inoperable",
	StatusNoTag:            "no tag operable",
	StatusTagError:         "tag returned an error code",
	StatusLengthWrong:      "command length wrong",
	StatusIllegalCommand:   "illegal command (unrecognised, or CRC error in the command)",
	StatusParameterError:   "parameter error",
}

func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("unknown status 0x%02x", byte(s))
}

// inventoryData reports whether a reply with this status to an inventory
// command carries tag data.
func (s Status) inventoryData() bool {
	return s >= StatusInventoryDone && s <= StatusReaderFull
}

// StatusError is a reader's error status for a command: the frame was well
// formed, the reader refused or failed the command.
type StatusError struct {
	Cmd    byte
	Status Status
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("chafon: command 0x%02x: status 0x%02x (%s)", e.Cmd, byte(e.Status), e.Status)
}
