#!/usr/bin/env python3
"""Writes the JIS X 0208 -> Unicode table the ISO-2022-JP codec (iso2022jp.cpp) is built with.

The table is derived at build time from this machine's own ISO-2022-JP decoder (Python's
'iso2022_jp' codec): every two-byte code 0x2121..0x7E7E after ESC $ B is decoded, and what it
decodes to is written down; codes it refuses are left 0. Nothing is copied from elsewhere. A
test (tests/unit/protocols/message/iso2022jp_test.cpp and tests/interop) checks the result
against glibc's iconv as well.

Usage: gen_jis0208.py OUTPUT.inc
"""
import sys


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: gen_jis0208.py OUTPUT.inc", file=sys.stderr)
        return 2
    values = []
    for row in range(0x21, 0x7F):
        for col in range(0x21, 0x7F):
            try:
                text = (b"\x1b$B" + bytes([row, col]) + b"\x1b(B").decode("iso2022_jp")
            except UnicodeDecodeError:
                values.append(0)
                continue
            if len(text) != 1 or ord(text) > 0xFFFF:
                print(f"unexpected decoding of {row:02X}{col:02X}: {text!r}", file=sys.stderr)
                return 1
            values.append(ord(text))
    mapped = sum(1 for v in values if v)
    lines = [
        "// Generated at build time by protocols/message/gen_jis0208.py from Python's iso2022_jp codec.",
        "// JIS X 0208 row/cell (0x21..0x7E each) -> UCS-2; 0: no character.",
        f"// {mapped} characters.",
        "constexpr std::uint16_t kJis0208ToUcs[94 * 94] = {",
    ]
    for i in range(0, len(values), 12):
        lines.append("    " + ", ".join(f"0x{v:04X}" for v in values[i:i + 12]) + ",")
    lines.append("};")
    text = "\n".join(lines) + "\n"
    try:
        with open(sys.argv[1], encoding="ascii") as f:
            if f.read() == text:
                return 0  # unchanged: keep the time stamp
    except OSError:
        pass
    with open(sys.argv[1], "w", encoding="ascii") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
