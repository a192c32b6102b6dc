// Package honeywell speaks to Honeywell (formerly Hand Held Products and
// Metrologic) barcode scanners on a serial line: the codec named
// "honeywell". Scans are text, read with the devices/scanner framer; the
// scanner is put into a known mode with its serial menu commands.
//
// The menu command protocol is the "Serial Programming Commands" chapter of
// the Honeywell user guides (Xenon 1900/1902 User's Guide chapter 11,
// Voyager 1200g/1250g User's Guide chapter 9, Xenon/Granit User Guide,
// N3680 Decoded Engine User Guide "Menu Command Syntax"):
//
//	SYN M CR  Tag SubTag Data [, SubTag Data] [; Tag SubTag Data] ...  Storage
//
// The prefix is ASCII 22, 77, 13. Tag and SubTag are three case-insensitive
// characters each. A comma adds a command under the same Tag, a semicolon
// starts one with a new Tag. Storage is '!' for the volatile (RAM) menu
// table or '.' for the non-volatile (flash) one. A query puts '^' (default),
// '?' (current) or '*' (range) in place of the Data, SubTag or Tag.
//
// The scanner answers by echoing the command sequence, without the prefix,
// with a status character inserted directly before each punctuation mark
// (',' ';' '!' '.'): ACK (0x06) the command was processed, ENQ (0x05) the
// Tag or SubTag is invalid, NAK (0x15) the Data is out of the allowed range.
// Queries echo with the value in place of the query character. The guides'
// example: "cbrena*." answers "CBRENA0-1[ACK]." (Codabar enable, range 0-1).
package honeywell

import (
	"errors"
	"fmt"
	"strings"
)

// Menu command framing (Serial Programming Commands, "Menu Command Syntax").
const (
	SYN = 0x16
	ACK = 0x06
	ENQ = 0x05
	NAK = 0x15
)

// Prefix starts every menu command: SYN M CR.
const Prefix = "\x16M\r"

// Storage is the menu table a command sequence applies to; its character
// ends the sequence.
type Storage byte

const (
	// Temporary applies to the volatile table: lost at power off.
	Temporary Storage = '!'
	// Permanent applies to the non-volatile table, which survives a power
	// cycle but whose flash has a limited number of write cycles.
	Permanent Storage = '.'
)

// Query characters, used in place of Data, SubTag or Tag.
const (
	QueryDefault = "^"
	QueryCurrent = "?"
	QueryRange   = "*"
)

// Command is one menu command: Tag and SubTag of three characters, and its
// Data (a value, a query character, or nothing). A Tag-wide query has the
// query character as SubTag; a query of the whole table has it as Tag.
type Command struct {
	Tag, SubTag, Data string
}

func (c Command) String() string { return c.Tag + c.SubTag + c.Data }

// IsQuery reports whether the command asks rather than sets.
func (c Command) IsQuery() bool {
	return isQuery(c.Tag) || isQuery(c.SubTag) || isQuery(c.Data)
}

func isQuery(s string) bool { return s == QueryDefault || s == QueryCurrent || s == QueryRange }

// Status is the character the scanner puts after each command it echoes.
type Status byte

func (s Status) String() string {
	switch s {
	case ACK:
		return "ACK"
	case ENQ:
		return "ENQ"
	case NAK:
		return "NAK"
	}
	return fmt.Sprintf("status 0x%02X", byte(s))
}

// Errors of the protocol; a *CommandError wraps ErrInvalid or ErrOutOfRange.
var (
	ErrInvalid      = errors.New("invalid tag or subtag (ENQ)")
	ErrOutOfRange   = errors.New("data out of range (NAK)")
	ErrBadCommand   = errors.New("honeywell: bad menu command")
	ErrBadReply     = errors.New("honeywell: malformed menu reply")
	ErrEchoMismatch = errors.New("honeywell: reply does not echo the commands sent")
)

// CommandError is a command the scanner refused.
type CommandError struct {
	Command Command
	Status  Status
}

func (e *CommandError) Error() string {
	return fmt.Sprintf("honeywell: %s: %v", e.Command, e.Unwrap())
}

func (e *CommandError) Unwrap() error {
	if e.Status == NAK {
		return ErrOutOfRange
	}
	return ErrInvalid
}

// punct reports whether c separates or ends commands.
func punct(c byte) bool { return c == ',' || c == ';' || c == '!' || c == '.' }

func checkField(what, s string) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7E || punct(c) {
			return fmt.Errorf("%w: %s %q has %q", ErrBadCommand, what, s, c)
		}
	}
	return nil
}

// Validate checks a command can be sent: a three-character Tag and SubTag
// (or a query character in their place) and Data of printable characters
// other than the punctuation that separates commands.
func (c Command) Validate() error {
	switch {
	case isQuery(c.Tag):
		if c.SubTag != "" || c.Data != "" {
			return fmt.Errorf("%w: a table query %q has no subtag or data", ErrBadCommand, c)
		}
		return nil
	case len(c.Tag) != 3:
		return fmt.Errorf("%w: tag %q is not 3 characters", ErrBadCommand, c.Tag)
	case isQuery(c.SubTag):
		if c.Data != "" {
			return fmt.Errorf("%w: a tag query %q has no data", ErrBadCommand, c)
		}
	case len(c.SubTag) != 3:
		return fmt.Errorf("%w: subtag %q is not 3 characters", ErrBadCommand, c.SubTag)
	}
	for _, f := range [...][2]string{{"tag", c.Tag}, {"subtag", c.SubTag}, {"data", c.Data}} {
		if err := checkField(f[0], f[1]); err != nil {
			return err
		}
	}
	return nil
}

// Encode appends the menu command message for cmds to dst: the prefix, the
// commands (a comma before one that shares the previous command's Tag, a
// semicolon before a new Tag) and the storage character.
func Encode(dst []byte, cmds []Command, st Storage) ([]byte, error) {
	if len(cmds) == 0 {
		return dst, fmt.Errorf("%w: no commands", ErrBadCommand)
	}
	if st != Temporary && st != Permanent {
		return dst, fmt.Errorf("%w: storage %q is neither '!' nor '.'", ErrBadCommand, st)
	}
	dst = append(dst, Prefix...)
	for i, c := range cmds {
		if err := c.Validate(); err != nil {
			return dst, err
		}
		if i > 0 && !isQuery(c.Tag) && !isQuery(cmds[i-1].Tag) && strings.EqualFold(c.Tag, cmds[i-1].Tag) {
			dst = append(dst, ',')
		} else {
			if i > 0 {
				dst = append(dst, ';')
			}
			dst = append(dst, c.Tag...)
		}
		dst = append(dst, c.SubTag...)
		dst = append(dst, c.Data...)
	}
	return append(dst, byte(st)), nil
}

// ParseCommands reads a command sequence as people write it (a profile's
// menu field, "PRECA2,BK2995C81;SUFCA2"): without the prefix and, optionally,
// without the storage character, which is returned as 0 when absent.
func ParseCommands(s string) ([]Command, Storage, error) {
	var st Storage
	if n := len(s); n > 0 && (s[n-1] == '!' || s[n-1] == '.') {
		st, s = Storage(s[n-1]), s[:n-1]
	}
	if s == "" {
		return nil, st, fmt.Errorf("%w: empty", ErrBadCommand)
	}
	var cmds []Command
	for _, group := range strings.Split(s, ";") {
		items := strings.Split(group, ",")
		first, err := splitItem(items[0], true, "")
		if err != nil {
			return nil, st, err
		}
		cmds = append(cmds, first)
		for _, it := range items[1:] {
			c, err := splitItem(it, false, first.Tag)
			if err != nil {
				return nil, st, err
			}
			cmds = append(cmds, c)
		}
	}
	for _, c := range cmds {
		if err := c.Validate(); err != nil {
			return nil, st, err
		}
	}
	return cmds, st, nil
}

// splitItem splits one comma- or semicolon-separated item: Tag SubTag Data
// when it starts a Tag group, SubTag Data under tag otherwise.
func splitItem(it string, withTag bool, tag string) (Command, error) {
	var c Command
	if withTag {
		if isQuery(it) {
			return Command{Tag: it}, nil
		}
		if len(it) < 3 {
			return c, fmt.Errorf("%w: %q is shorter than a tag", ErrBadCommand, it)
		}
		tag, it = it[:3], it[3:]
	}
	c.Tag = tag
	if isQuery(it) {
		c.SubTag = it
		return c, nil
	}
	if len(it) < 3 {
		return c, fmt.Errorf("%w: %q is shorter than a subtag", ErrBadCommand, it)
	}
	c.SubTag, c.Data = it[:3], it[3:]
	return c, nil
}

// Result is one command as the scanner echoed it, and its status. For a
// query, Data holds the answer.
type Result struct {
	Command
	Status Status
}

// ParseReply reads a scanner's reply: the echoed commands, each followed by
// its status and a punctuation mark, the last being the storage character.
// b must hold exactly one reply (any text a command such as REVINF prints
// before its echo is the caller's to split off).
func ParseReply(b []byte) ([]Result, Storage, error) {
	var out []Result
	tag := ""
	groupStart := true
	i := 0
	for i < len(b) {
		j := i
		for j+1 < len(b) && !(isStatus(b[j]) && punct(b[j+1])) {
			j++
		}
		if j+1 >= len(b) {
			return nil, 0, fmt.Errorf("%w: %q has no status before its end", ErrBadReply, b[i:])
		}
		item := string(b[i:j])
		var c Command
		switch {
		case groupStart && len(item) < 3:
			c.Tag = item
		case groupStart:
			c.Tag = item[:3]
			c.SubTag, c.Data = cut3(item[3:])
		default:
			c.Tag = tag
			c.SubTag, c.Data = cut3(item)
		}
		if c.Tag == "" {
			return nil, 0, fmt.Errorf("%w: empty command before %q", ErrBadReply, b[j:j+2])
		}
		out = append(out, Result{Command: c, Status: Status(b[j])})
		tag = c.Tag
		switch p := b[j+1]; p {
		case '!', '.':
			if j+2 != len(b) {
				return nil, 0, fmt.Errorf("%w: %q after the storage character", ErrBadReply, b[j+2:])
			}
			return out, Storage(p), nil
		case ';':
			groupStart = true
		default:
			groupStart = false
		}
		i = j + 2
	}
	return nil, 0, fmt.Errorf("%w: no storage character", ErrBadReply)
}

func cut3(s string) (string, string) {
	if isQuery(s) || len(s) <= 3 {
		return s, ""
	}
	return s[:3], s[3:]
}

func isStatus(c byte) bool { return c == ACK || c == ENQ || c == NAK }

// ReplyEnd returns the length of the first complete reply in b (through its
// status and storage character), or -1 when b holds none yet.
func ReplyEnd(b []byte) int {
	for i := 0; i+1 < len(b); i++ {
		if isStatus(b[i]) && (b[i+1] == '!' || b[i+1] == '.') {
			return i + 2
		}
	}
	return -1
}

// Check matches a reply to the set commands that were sent: the echo must
// name the same commands in the same order, and each refused command is a
// *CommandError (joined when there are several).
func Check(sent []Command, got []Result) error {
	if len(got) != len(sent) {
		return fmt.Errorf("%w: %d commands sent, %d echoed", ErrEchoMismatch, len(sent), len(got))
	}
	var errs []error
	for i, r := range got {
		s := sent[i]
		if !strings.EqualFold(r.Tag, s.Tag) || !strings.EqualFold(r.SubTag, s.SubTag) {
			return fmt.Errorf("%w: sent %s%s, echoed %s%s", ErrEchoMismatch, s.Tag, s.SubTag, r.Tag, r.SubTag)
		}
		switch r.Status {
		case ACK:
		case ENQ, NAK:
			errs = append(errs, &CommandError{Command: s, Status: r.Status})
		default:
			return fmt.Errorf("%w: %v for %s", ErrBadReply, r.Status, s)
		}
	}
	return errors.Join(errs...)
}
