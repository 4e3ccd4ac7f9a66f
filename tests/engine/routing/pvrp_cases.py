"""A small PVRP instance written by the tests: two clusters either side of the
depot, every customer visited once in two days (day 1 or day 2). The first
listed pattern alternates within each cluster, so the plain approach (first
pattern) visits both clusters on both days; grouping each cluster on one day
halves the trips out."""

from __future__ import annotations

from pathlib import Path

CLUSTERS = {"east": (40.0, 0.0), "west": (-40.0, 0.0)}


def write_two_clusters(path: Path) -> Path:
    """Eight customers, m = 2 vehicles of capacity 100 a day, t = 2, D = 0."""
    lines = ["1 2 8 2", "0 100", "0 100", "0 0 0 0 0 0 0"]
    number = 0
    for cx, cy in CLUSTERS.values():
        for k, (dx, dy) in enumerate([(0, 2), (2, 0), (0, -2), (-2, 0)]):
            number += 1
            codes = "2 1" if k % 2 == 0 else "1 2"  # 2 = day 1, 1 = day 2
            lines.append(f"{number} {cx + dx} {cy + dy} 0 10 1 2 {codes}")
    path.write_text("\n".join(lines) + "\n")
    return path


def write_two_clusters_twice(path: Path) -> Path:
    """The same two clusters over t = 4 days, every customer visited twice: days
    1 and 3 or days 2 and 4. A cluster on one pattern is two trips out; split
    over both, four."""
    lines = ["1 2 8 4", "0 100", "0 100", "0 100", "0 100", "0 0 0 0 0 0 0"]
    number = 0
    for cx, cy in CLUSTERS.values():
        for dx, dy in [(0, 2), (2, 0), (0, -2), (-2, 0)]:
            number += 1
            lines.append(f"{number} {cx + dx} {cy + dy} 0 10 2 2 10 5")  # 1010, 0101
    path.write_text("\n".join(lines) + "\n")
    return path
