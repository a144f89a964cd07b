"""CSV cells as RFC 4180 wants them, with spreadsheet formulas defused as OWASP recommends.

A cell is a formula to defuse when it starts with tab, CR or LF, or when, after any leading
whitespace and invisible characters are dropped, its first character is = + - @ or |, or a
compatibility form of one that a spreadsheet reads as it (full-width ＝, small ﹢,
superscript ⁺...). The rule judges the characters as they are written to the file, one by
one, never a normalised copy: normalising "=" followed by U+0338 (a combining mark) gives "≠",
while the file keeps its leading "=". The PostgreSQL export applies the same rule in SQL
(portal.services.sql.neutralised); a test keeps them equal.
"""

import re

# The characters a formula starts with (ASCII), and every character whose compatibility
# decomposition (NFKC) starts with one: written out, not computed, since computing it costs
# seconds at every start; tests/services/test_csv_cells.py checks it against this Python's
# Unicode tables.
FORMULA_STARTS = frozenset("=+-@|")
FORMULA_CHARS = FORMULA_STARTS | frozenset(
    "\u207a\u207c\u208a\u208c\u2a75\u2a76\ufb29\ufe62\ufe63\ufe66\ufe6b"
    "\uff0b\uff0d\uff1d\uff20\uff5c"
)
LINE_STARTS = frozenset("\t\r\n")
# Whitespace and invisible characters that may come before a formula: every character that is
# whitespace or of the Unicode categories Zs, Zl, Zp, Cc or Cf (zero-width spaces, the byte-order
# mark...), as ranges. Written out, not computed, since computing it costs half a second at every
# start; tests/services/test_csv_cells.py checks it against this Python's Unicode tables.
INVISIBLE_CLASS = (
    "[\x00- \x7f-\xa0\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u1680\u180e"
    "\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
LEAD_IN = re.compile("^" + INVISIBLE_CLASS + "+")
# A cell whose first character is one of these needs no closer look: most cells start so.
PLAIN_STARTS = frozenset(chr(c) for c in range(0x21, 0x7F)) - FORMULA_STARTS


def is_formula(value: str) -> bool:
    """Whether a spreadsheet could run the text as a formula (see the module's rule)."""
    first = value[:1]
    if first in PLAIN_STARTS or not first:
        return False
    if first in LINE_STARTS:
        return True
    return LEAD_IN.sub("", value, count=1)[:1] in FORMULA_CHARS


def neutralise(value: str) -> str:
    """Defuse a spreadsheet formula: prefix ' to text that is_formula()."""
    if is_formula(value):
        return "'" + value
    return value


def quote_cell(value) -> str:
    """One RFC 4180 cell: empty for None; quoted, quotes doubled, when it holds , " CR or LF."""
    if value is None:
        return ""
    if value.__class__ is not str:
        return str(value)
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


def safe_cell(value) -> str:
    """quote_cell() of the value with any text neutralised first."""
    if value.__class__ is str and value[:1] not in PLAIN_STARTS and is_formula(value):
        value = "'" + value
    return quote_cell(value)


def csv_line(values, keep: frozenset[int] = frozenset()) -> str:
    """One CSV record with CRLF: every cell neutralised and quoted, those at `keep` only quoted."""
    cells = [safe_cell(v) for v in values]
    for index in keep:
        cells[index] = quote_cell(values[index])
    return ",".join(cells) + "\r\n"
