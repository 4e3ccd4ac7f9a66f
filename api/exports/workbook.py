"""What every Excel export shares: user text never becomes a formula, header rows are
bold, and the workbook is handed over as bytes."""

from __future__ import annotations

import io
from collections.abc import Mapping

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

HEADER_FONT = Font(bold=True)
REPLACEMENT = "\ufffd"
SHEET_TITLE_MAX = 31
"""Excel's limit on a sheet name."""


def legal_text(value: object) -> object:
    """Text an .xlsx cell can hold: the control characters XML forbids (which openpyxl
    refuses to write) and lone surrogates become U+FFFD. The loader refuses them in a
    department already; this keeps any other text from breaking an export."""
    if not isinstance(value, str):
        return value
    return "".join(
        REPLACEMENT if 0xD800 <= ord(char) <= 0xDFFF else char
        for char in ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value)
    )


def text_never_formula(workbook: Workbook) -> None:
    """openpyxl stores text starting with "=" as a formula; names typed by users (a shop
    called "=HYPERLINK(...)") must stay text, so no cell of an export is a formula."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def bold_headers(workbook: Workbook, header_rows: Mapping[str, int] | None = None) -> None:
    """Make each sheet's header row bold: row 1 unless `header_rows` names another."""
    for sheet in workbook.worksheets:
        for cell in sheet[(header_rows or {}).get(sheet.title, 1)]:
            cell.font = HEADER_FONT


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as an .xlsx file's bytes, after the formula guard."""
    text_never_formula(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
