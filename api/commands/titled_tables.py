"""Titled report tables (a header row and body rows per title) rendered two ways: rich
tables in the terminal and markdown for benchmarks/RESULTS.md. The benchmark commands
that report per instance (`bench vrptw`, `bench pvrp`) build the rows; this draws them."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from rich.console import Console
from rich.table import Table

TitledTables = Mapping[str, tuple[Sequence[str], Sequence[Sequence[str]]]]
"""Title -> (column names, rows of cells), in reading order."""


def print_titled_tables(tables: TitledTables, left_columns: Collection[str], out: Console) -> None:
    """The tables in the terminal, the last title first (the summary ends up nearest the
    prompt); the `left_columns` are names, aligned left, every other column right."""
    for title, (head, body) in reversed(list(tables.items())):
        table = Table(title=title)
        for column in head:
            table.add_column(column, justify="left" if column in left_columns else "right")
        for cells in body:
            table.add_row(*cells)
        out.print(table)


def titled_tables_markdown(tables: TitledTables, heading: str) -> str:
    """The tables as markdown: `heading` as a level-2 heading, each title as level 3."""
    lines = [f"## {heading}", ""]
    for title, (head, body) in tables.items():
        lines += [f"### {title}", "", "| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        lines.append("")
    return "\n".join(lines)
