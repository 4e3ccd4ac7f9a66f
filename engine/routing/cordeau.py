"""Periodic VRP instances in Cordeau's format (Cordeau, Gendreau & Laporte 1997),
read for the solver (`engine.routing.periodic`).

    type m n t          type 1 = PVRP; m vehicles a day, n customers, t days
    D Q                 t lines: maximum route duration (0 = none), capacity;
                        the solver takes one D Q for all days and refuses
                        a file whose day lines differ
    i x y d q f a c...  n + 1 lines, line 0 the depot: coordinates, service,
                        demand, visits, number of patterns, pattern codes

A pattern code is the decimal value of a t-bit string whose leftmost bit is
day 1. A customer whose `f` is 0 but who has patterns (p11 customer 131) is
visited on the days of one of them, like any other. Bad input raises
`InputError` naming the file, the line and the field.
"""

from __future__ import annotations

import csv
import itertools
import math
from dataclasses import dataclass
from pathlib import Path

from engine.errors import InputError, Problem


@dataclass(frozen=True)
class PvrpCustomer:
    """One customer: where, how long a visit takes, what it receives each visit,
    and its allowed patterns as tuples of 0-based day indices."""

    number: int
    x: float
    y: float
    service: float
    demand: int
    visits: int
    patterns: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class PvrpInstance:
    """A PVRP instance: depot coordinates, `vehicles` routes per day of capacity
    `capacity`, route duration at most `max_duration` (None = no limit), `days`
    days; `customers[k]` is customer number k + 1 of the file."""

    name: str
    vehicles: int
    days: int
    max_duration: float | None
    capacity: int
    depot: tuple[float, float]
    customers: tuple[PvrpCustomer, ...]

    def point(self, location: int) -> tuple[float, float]:
        """Coordinates of location 0 (the depot) or customer number `location`."""
        if location == 0:
            return self.depot
        customer = self.customers[location - 1]
        return customer.x, customer.y

    def route_distance(self, route: list[int] | tuple[int, ...]) -> float:
        """Euclidean length (double precision) of depot → customers → depot."""
        stops = [0, *route, 0]
        return sum(
            math.dist(self.point(a), self.point(b)) for a, b in itertools.pairwise(stops)
        )


def decode_pattern(code: int, days: int) -> tuple[int, ...]:
    """0-based days of a pattern code: bit `days - 1 - d` set means day d."""
    return tuple(d for d in range(days) if code >> (days - 1 - d) & 1)


def read_pvrp(path: str | Path) -> PvrpInstance:
    """Read a Cordeau PVRP file; every problem found is reported at once."""
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError([Problem(f"cannot read the instance: {error}", file=str(path))]) from error
    lines = [(number, line.split()) for number, line in enumerate(text.splitlines(), start=1)]
    lines = [(number, fields) for number, fields in lines if fields]
    problems: list[Problem] = []
    where = str(path)

    def numbers(index: int, names: list[str], kind: type) -> list | None:
        if index >= len(lines):
            problems.append(Problem(f"the file ends before its {names[0]} line", file=where))
            return None
        number, fields = lines[index]
        if len(fields) < len(names):
            problems.append(Problem(f"expected {len(names)} fields ({' '.join(names)}), "
                                    f"found {len(fields)}", file=where, row=number))
            return None
        values = []
        for name, field in zip(names, fields, strict=False):
            try:
                values.append(kind(field))
            except ValueError:
                problems.append(Problem(f"{field!r} is not a number", file=where, row=number,
                                        column=name))
                return None
        return values

    head = numbers(0, ["type", "m", "n", "t"], int)
    if head is None:
        raise InputError(problems)
    kind, vehicles, size, days = head
    if kind != 1 or vehicles < 1 or size < 1 or not 1 <= days <= 30:
        problems.append(Problem(f"expected type 1 (PVRP), m ≥ 1, n ≥ 1, 1 ≤ t ≤ 30; "
                                f"found {kind} {vehicles} {size} {days}", file=where, row=lines[0][0]))
        raise InputError(problems)
    limits = numbers(1, ["D", "Q"], float)
    for day in range(2, days + 1):
        # The solver has one D and one Q for every day; a file whose days differ
        # is refused rather than solved against the first day's limits.
        other = numbers(day, ["D", "Q"], float)
        if limits is not None and other is not None and other[:2] != limits[:2]:
            problems.append(Problem(
                f"day {day}'s D Q ({other[0]:g} {other[1]:g}) differ from day 1's "
                f"({limits[0]:g} {limits[1]:g}); days with their own limits are not supported",
                file=where, row=lines[day][0]))
    depot = numbers(1 + days, ["i", "x", "y"], float)
    customers = [_customer(lines, 1 + days + k, k, days, where, problems) for k in range(1, size + 1)]
    if limits is not None and (limits[0] < 0 or limits[1] <= 0):
        problems.append(Problem("D must be ≥ 0 and Q > 0", file=where, row=lines[1][0]))
    if len(lines) > 2 + days + size:
        problems.append(Problem(f"more customer lines than n = {size}", file=where,
                                row=lines[2 + days + size][0]))
    if problems or limits is None or depot is None:
        raise InputError(problems)
    _refuse_impossible(lines, vehicles, days, int(limits[1]),
                       [c for c in customers if c is not None], where)
    return PvrpInstance(
        name=path.name,
        vehicles=vehicles,
        days=days,
        max_duration=limits[0] if limits[0] > 0 else None,
        capacity=int(limits[1]),
        depot=(depot[1], depot[2]),
        customers=tuple(c for c in customers if c is not None),
    )


def _customer(lines: list[tuple[int, list[str]]], index: int, expected: int, days: int,
              where: str, problems: list[Problem]) -> PvrpCustomer | None:
    """One customer line `i x y d q f a codes...`, or None after noting its problems."""
    if index >= len(lines):
        problems.append(Problem(f"the file ends before customer {expected}", file=where))
        return None
    number, fields = lines[index]
    names = ["i", "x", "y", "d", "q", "f", "a"]
    try:
        values = [float(field) for field in fields]
    except ValueError:
        bad = next(f for f in fields if not _is_number(f))
        problems.append(Problem(f"{bad!r} is not a number", file=where, row=number))
        return None
    if len(values) < len(names) or len(values) != len(names) + int(values[6]):
        problems.append(Problem("expected i x y d q f a and then a pattern codes",
                                file=where, row=number))
        return None
    if int(values[0]) != expected:
        problems.append(Problem(f"customer number {int(values[0])}, expected {expected}",
                                file=where, row=number, column="i"))
    codes = [int(v) for v in values[7:]]
    if not codes or any(not 0 < c < 2**days for c in codes):
        problems.append(Problem(f"pattern codes must lie in 1..{2**days - 1}, found {codes}",
                                file=where, row=number, column="patterns"))
        return None
    if values[4] < 0 or values[3] < 0:
        problems.append(Problem("demand and service must not be negative", file=where, row=number))
    visits = int(values[5])
    if visits > days:
        problems.append(Problem(f"f = {visits} visits, more than the t = {days} days",
                                file=where, row=number, column="f"))
    elif visits > 0 and any(c.bit_count() != visits for c in codes):
        # f = 0 with patterns (p11 customer 131) is read as "any of them".
        wrong = [c for c in codes if c.bit_count() != visits]
        problems.append(Problem(f"pattern codes {wrong} do not have f = {visits} days",
                                file=where, row=number, column="patterns"))
    return PvrpCustomer(
        number=expected,
        x=values[1],
        y=values[2],
        service=values[3],
        demand=int(values[4]),
        visits=int(values[5]),
        patterns=tuple(dict.fromkeys(decode_pattern(c, days) for c in codes)),
    )


def _refuse_impossible(lines: list[tuple[int, list[str]]], vehicles: int, days: int, capacity: int,
                       customers: list[PvrpCustomer], where: str) -> None:
    """Refuse, before any solving, a file no plan can serve: a customer whose
    demand is over Q, a day whose customers that must be visited on it (every
    pattern holds it) need more than m·Q, or visits that need more than m·Q a
    day on average."""
    problems = [Problem(f"customer {c.number}'s demand {c.demand} is over the capacity Q = {capacity}",
                        file=where, row=lines[1 + days + c.number][0], column="q")
                for c in customers if c.demand > capacity]
    if problems:  # the day totals below would only repeat it
        raise InputError(problems)
    room = vehicles * capacity
    for day in range(days):
        forced = [c for c in customers if all(day in p for p in c.patterns)]
        need = sum(c.demand for c in forced)
        if need > room:
            problems.append(Problem(
                f"day {day + 1} must visit customers needing {need} in all, over m × Q = {room}",
                file=where, row=lines[1 + day][0]))
    total = sum(c.demand * min(len(p) for p in c.patterns) for c in customers)
    if total > room * days and not problems:
        problems.append(Problem(
            f"the visits need {total} in all, {total / days:.4g} a day on average, "
            f"over m × Q = {room}", file=where))
    if problems:
        raise InputError(problems)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_pvrp_bks(path: str | Path) -> dict[str, float]:
    """`bks.csv` (instance, bks, source) as instance name -> best-known distance."""
    with open(path, newline="") as handle:
        return {row["instance"]: float(row["bks"]) for row in csv.DictReader(handle)}
