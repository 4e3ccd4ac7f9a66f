"""What every Excel export shares: user text never becomes a formula, header rows are
bold, and the workbook is handed over as bytes."""

from __future__ import annotations

import io
from collections.abc import Mapping

from openpyxl import Workbook
from openpyxl.styles import Font

HEADER_FONT = Font(bold=True)
SHEET_TITLE_MAX = 31
"""Excel's limit on a sheet name."""


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
