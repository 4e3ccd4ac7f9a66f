"""Exports people use: the week as a workbook, calendars, a printable page, and route maps."""
