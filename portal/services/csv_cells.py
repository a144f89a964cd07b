"""CSV cells as RFC 4180 wants them, with spreadsheet formulas defused as OWASP recommends."""

# OWASP's list: a cell starting with one of these may be run as a formula by a spreadsheet.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n")


def neutralise(value: str) -> str:
    """Defuse a spreadsheet formula: prefix ' to text starting with = + - @ tab CR or LF."""
    if value[:1] in FORMULA_TRIGGERS:
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
    if value.__class__ is str and value[:1] in FORMULA_TRIGGERS:
        value = "'" + value
    return quote_cell(value)


def csv_line(values, keep: frozenset[int] = frozenset()) -> str:
    """One CSV record with CRLF: every cell neutralised and quoted, those at `keep` only quoted."""
    cells = [safe_cell(v) for v in values]
    for index in keep:
        cells[index] = quote_cell(values[index])
    return ",".join(cells) + "\r\n"
