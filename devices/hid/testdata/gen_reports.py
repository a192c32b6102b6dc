# Generates the *.hex report files in this folder (python3 gen_reports.py .) from the documented
# layouts, with its own key tables: it shares nothing with the Go decoder it tests.
import sys
out = sys.argv[1]

def hexline(b): return ' '.join('%02x' % x for x in b)

# ---------- HID POS ----------
def pos_reports(aim, data, code_id=0):
    reps = []
    chunks = [data[i:i+56] for i in range(0, len(data), 56)] or [b'']
    for i, c in enumerate(chunks):
        r = bytearray(64)
        r[0] = 0x02; r[1] = len(c); r[2:5] = aim.encode()
        r[5:5+len(c)] = c
        r[61] = code_id
        r[63] = 1 if i < len(chunks) - 1 else 0
        reps.append(bytes(r))
    return reps

lines = ["# HID POS scanned-data input reports, 64 bytes each, one per line (hex).",
         "# No scanner is attached to these machines: every report below was CONSTRUCTED from the",
         "# documented layout (Hand Held Products 'USB Interfaces' application note, ch. 1 'HID POS",
         "# Interface'; Access-IS LSR116/LSR118 manual appendix 'HID reports'), except where a",
         "# comment says the bytes were published as captured from a device.",
         "#",
         "# scan 1: GS1-128 ]C1, one report, FNC1 separator as GS (0x1d), Honeywell code ID 'j'."]
for r in pos_reports("]C1", b"010950600013435217251200\x1d10ABC123", ord('j')): lines.append(hexline(r))
lines.append("# scan 2: GS1 DataMatrix ]d2, 120 bytes in three reports (56 + 56 + 8), code ID 'w'.")
dm = (b"0109506000134352" + b"17251200" + b"10LOT-0001\x1d" + b"21" + b"S" * 30 + b"\x1d" + b"91" + b"X" * 60)[:120]
assert len(dm) == 120
for r in pos_reports("]d2", dm, ord('w')): lines.append(hexline(r))
lines.append("# scan 3: the Access-IS manual's example first report (]Q0, 56 bytes, code ID 's', continued);")
lines.append("# the manual does not show the second report's 4 bytes, '>5 0' below are made up.")
bcbp = b"M1GATHERGOOD/MICHAEL YABCDEF LHRDURAK 3542 052Y003D23  "
bcbp = bcbp + b" " * (56 - len(bcbp))
for r in pos_reports("]Q0", bcbp + b">5 0", ord('s')): lines.append(hexline(r))
lines.append("# scans 4 and 5: published as received from a Honeywell 1602g over HID POS (answer to the")
lines.append("# REVINF. menu command; github.com/HenkVanAsselt/python_hon_usbhid README): six reports")
lines.append("# ]X0 with the continued bit, then one ]Z6 report echoing the command with ACK (0x06).")
henk = [
[2, 56, 93, 88, 48, 80, 114, 111, 100, 117, 99, 116, 32, 78, 97, 109, 101, 58, 32, 86, 111, 121, 97, 103, 101, 114, 32, 49, 54, 48, 50, 103, 13, 10, 66, 111, 111, 116, 32, 82, 101, 118, 105, 115, 105, 111, 110, 58, 32, 58, 32, 56, 57, 57, 50, 13, 10, 83, 111, 102, 116, 63, 0, 1],
[2, 56, 93, 88, 48, 119, 97, 114, 101, 32, 80, 97, 114, 116, 32, 78, 117, 109, 98, 101, 114, 58, 32, 67, 87, 48, 48, 48, 48, 56, 50, 66, 66, 65, 13, 10, 83, 111, 102, 116, 119, 97, 114, 101, 32, 82, 101, 118, 105, 115, 105, 111, 110, 58, 32, 36, 80, 114, 111, 106, 101, 63, 0, 1],
[2, 56, 93, 88, 48, 99, 116, 82, 101, 118, 105, 115, 105, 111, 110, 58, 32, 49, 54, 51, 52, 53, 32, 13, 10, 83, 101, 114, 105, 97, 108, 32, 78, 117, 109, 98, 101, 114, 58, 32, 49, 53, 50, 51, 50, 66, 49, 70, 48, 67, 13, 10, 83, 117, 112, 112, 111, 114, 116, 101, 100, 63, 0, 1],
[2, 56, 93, 88, 48, 32, 73, 70, 58, 32, 66, 108, 117, 101, 116, 111, 111, 116, 104, 13, 10, 80, 67, 66, 32, 65, 115, 115, 101, 109, 98, 108, 121, 32, 73, 68, 58, 32, 48, 48, 48, 48, 48, 48, 13, 10, 69, 110, 103, 105, 110, 101, 32, 70, 105, 114, 109, 119, 97, 114, 101, 63, 0, 1],
[2, 56, 93, 88, 48, 32, 84, 121, 112, 101, 58, 32, 78, 47, 65, 32, 32, 32, 82, 101, 118, 105, 115, 105, 111, 110, 58, 32, 78, 47, 65, 32, 32, 32, 83, 101, 114, 105, 97, 108, 32, 78, 117, 109, 98, 101, 114, 58, 32, 78, 47, 65, 32, 32, 32, 67, 104, 101, 99, 107, 115, 63, 0, 1],
[2, 9, 93, 88, 48, 117, 109, 58, 32, 78, 47, 65, 13, 10] + [0]*47 + [63, 0, 0],
[2, 8, 93, 90, 54, 82, 69, 86, 73, 78, 70, 6, 46] + [0]*48 + [54, 0, 0],
]
for r in henk:
    assert len(r) == 64, len(r)
    lines.append(hexline(r))
open(out + "/pos_reports.hex", "w").write("\n".join(lines) + "\n")

# ---------- keyboard ----------
LCTRL, LSHIFT, LALT, RALT = 0x01, 0x02, 0x04, 0x40
letters = {chr(ord('a') + i): 0x04 + i for i in range(26)}
US = {}
for c, u in letters.items(): US[c] = (0, u); US[c.upper()] = (LSHIFT, u)
for i, (a, b) in enumerate(zip("1234567890", "!@#$%^&*()")): US[a] = (0, 0x1e + i); US[b] = (LSHIFT, 0x1e + i)
for u, (a, b) in {0x2d: "-_", 0x2e: "=+", 0x2f: "[{", 0x30: "]}", 0x31: "\\|", 0x33: ";:", 0x34: "'\"", 0x35: "`~", 0x36: ",<", 0x37: ".>", 0x38: "/?"}.items():
    US[a] = (0, u); US[b] = (LSHIFT, u)
US[' '] = (0, 0x2c); US['\r'] = (0, 0x28); US['\t'] = (0, 0x2b)
US['\x1d'] = (LCTRL, 0x30)  # Ctrl+]

DE = {}
for c, u in letters.items():
    if c == 'y': u = 0x1d
    elif c == 'z': u = 0x1c
    DE[c] = (0, u); DE[c.upper()] = (LSHIFT, u)
for i, (a, b) in enumerate(zip("1234567890", "!\"§$%&/()=")): DE[a] = (0, 0x1e + i); DE[b] = (LSHIFT, 0x1e + i)
for u, (a, b) in {0x30: "+*", 0x32: "#'", 0x36: ",;", 0x37: ".:", 0x38: "-_", 0x2f: "üÜ", 0x33: "öÖ", 0x34: "äÄ"}.items():
    DE[a] = (0, u); DE[b] = (LSHIFT, u)
DE['ß'] = (0, 0x2d); DE['?'] = (LSHIFT, 0x2d)
DE['@'] = (RALT, 0x14); DE['['] = (RALT, 0x25); DE[']'] = (RALT, 0x26); DE['{'] = (RALT, 0x24); DE['}'] = (RALT, 0x27)
DE[' '] = (0, 0x2c); DE['\r'] = (0, 0x28); DE['\t'] = (0, 0x2b)
DE['\x1d'] = (LCTRL | RALT, 0x26)  # Ctrl + the key that types ']' (AltGr+9)

def kb(mods, *keys):
    k = list(keys) + [0] * (6 - len(keys))
    return bytes([mods, 0] + k)

def type_text(table, text, gs="ctrl"):
    reps = []
    for c in text:
        if c == '\x1d' and gs == "alt":
            reps.append(kb(LALT))
            for d in "0029":
                u = 0x62 if d == '0' else 0x59 + int(d) - 1
                reps.append(kb(LALT, u)); reps.append(kb(LALT))
            reps.append(kb(0))
            continue
        m, u = table[c]
        reps.append(kb(m, u)); reps.append(kb(0))
    return reps

def write_kb(name, head, scans):
    ls = list(head)
    for comment, reps in scans:
        ls.append("# " + comment)
        ls += [hexline(r) for r in reps]
    open(out + "/" + name, "w").write("\n".join(ls) + "\n")

head = ["# Boot-protocol keyboard input reports (8 bytes: modifiers, reserved, 6 key usages), one per",
        "# line (hex), as a keyboard-wedge scanner types: each key pressed then released.",
        "# CONSTRUCTED, not recorded: no scanner is attached to these machines. Key usages from HID Usage",
        "# Tables 1.12 section 10 (Keyboard/Keypad page 0x07), modifier bits from HID 1.11 appendix B.1."]
us_scans = [
    ("scan 1 (US): ]C1 01 09506000134352 GS 10 ABC-123, GS as Ctrl+], Enter",
     type_text(US, "]C10109506000134352\x1d10ABC-123\r")),
    ("scan 2 (US): ]d2 10 lot/x GS 21 s;9?, GS as Alt+keypad 0029, with a phantom ErrorRollOver report mid-scan",
     type_text(US, "]d210lot/x") + [bytes([0, 0, 1, 1, 1, 1, 1, 1])] + type_text(US, "\x1d", gs="alt") + type_text(US, "21s;9?\r")),
]
write_kb("keyboard_us.hex", head + ["# Layout: US (Windows 'US', ANSI)."], us_scans)
de_scans = [
    ("scan 1 (DE): ]C1 01 09506000134352 GS 10 XYZ-zy, GS as Ctrl+AltGr+9 (Ctrl with the key that types ']'), Enter",
     type_text(DE, "]C10109506000134352\x1d10XYZ-zy\r")),
    ("scan 2 (DE): ]d2 10 a/b:c GS 21 #ö@, GS as Alt+keypad 0029",
     type_text(DE, "]d210a/b:c") + type_text(DE, "\x1d", gs="alt") + type_text(DE, "21#ö@\r")),
    ("scan 3 (DE): 10Zy-/:# with no AIM identifier (keys whose US legends differ)",
     type_text(DE, "10Zy-/:#\r")),
]
write_kb("keyboard_de.hex", head + ["# Layout: German (Windows 'German', DIN 2137 T1, ISO 105-key)."], de_scans)
