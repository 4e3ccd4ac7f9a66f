"""Public VRPTW benchmark instances (Solomon, Gehring–Homberger) in VRPLIB
format, read into `VrptwProblem` under the DIMACS 2021 convention:

- each Euclidean arc length d becomes floor(10·d) (units of 0.1), and travel
  time equals that truncated distance;
- ready times, due times and service times are multiplied by 10;
- the depot's window is the vehicles' shift (back at the depot by its due time);
- the fleet is at most the VEHICLES field; the objective is distance only;
- a distance is reported as integer_total / 10, comparable with `bks.csv`.

Customer numbers follow the `.sol` files: 1..N, the depot being 0 (VRPLIB node
k + 1 is customer k).

Bad input raises `InputError` naming the file, the line and the field, checked
line by line before `vrplib` parses the values (which would only say "does not
conform", or fail later on a missing section or a row too few).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vrplib
from vrplib.parse import parse_vrplib

from engine.errors import InputError, Problem
from engine.routing.vrptw import (
    Client,
    Depot,
    VehicleType,
    VrptwProblem,
    VrptwSolution,
    evaluate_routes,
)

# DIMACS convention: one decimal of every distance and time is kept.
DIMACS_SCALE = 10


@dataclass(frozen=True)
class BestKnown:
    """A best-known solution's fleet size and distance (as in bks.csv)."""

    vehicles: int
    distance: float


# The data sections this reader uses, with the fields after each row's node number.
SECTION_FIELDS = {
    "NODE_COORD": ("x", "y"),
    "DEMAND": ("demand",),
    "TIME_WINDOW": ("ready", "due"),
    "SERVICE_TIME": ("service",),
}
REQUIRED_SECTIONS = ("NODE_COORD", "DEMAND", "TIME_WINDOW")


def _number(text: str) -> float | None:
    """A finite number, or None ("abc", "nan" and "inf" are not distances or times)."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _check_specifications(
    specs: dict[str, tuple[int, str]], where: str, problems: list[Problem]
) -> int | None:
    """Check the KEY : VALUE lines this reader uses; the DIMENSION when it is usable."""

    def value(key: str, *, whole: bool, least: float, required: bool) -> float | None:
        if key not in specs:
            if required:
                problems.append(Problem(f"no {key} line", file=where, column=key))
            return None
        line, text = specs[key]
        number = _number(text)
        if number is None or (whole and not number.is_integer()) or number < least:
            kind = "a whole number" if whole else "a number"
            problems.append(Problem(f"{text!r} is not {kind} ≥ {least:g}", file=where, row=line,
                                    column=key))
            return None
        return number

    # A depot and at least one customer.
    dimension = value("DIMENSION", whole=True, least=2, required=True)
    value("CAPACITY", whole=True, least=1, required=True)
    value("VEHICLES", whole=True, least=1, required=False)
    value("SERVICE_TIME", whole=False, least=0, required=False)
    line, kind = specs.get("EDGE_WEIGHT_TYPE", (None, ""))
    if kind.upper() != "EUC_2D":
        found = f"found {kind!r}" if line is not None else "no EDGE_WEIGHT_TYPE line"
        problems.append(Problem(f"expected EDGE_WEIGHT_TYPE : EUC_2D (distances from "
                                f"coordinates); {found}", file=where, row=line,
                                column="EDGE_WEIGHT_TYPE"))
    return None if dimension is None else int(dimension)


def _check_section(
    name: str, header: int, rows: list[tuple[int, list[str]]], dimension: int | None,
    where: str, problems: list[Problem],
) -> None:
    """Check one data section: a row per node, numbered 1..DIMENSION in order, each
    with its fields as finite numbers (a demand whole and ≥ 0, a window ready ≤ due)."""
    column = f"{name}_SECTION"
    if name == "DEPOT":
        depots = [fields for _, fields in rows if fields != ["-1"]]
        if depots != [["1"]]:
            problems.append(Problem("expected one depot, node 1, ended by -1", file=where,
                                    row=header, column=column))
        return
    names = SECTION_FIELDS[name]
    if dimension is not None and len(rows) != dimension:
        problems.append(Problem(f"{len(rows)} rows, but DIMENSION is {dimension}", file=where,
                                row=header, column=column))
    for node, (line, fields) in enumerate(rows, start=1):
        if len(fields) != 1 + len(names):
            problems.append(Problem(f"expected {1 + len(names)} fields (node {' '.join(names)}), "
                                    f"found {len(fields)}", file=where, row=line, column=column))
            continue
        if fields[0] != str(node):
            problems.append(Problem(f"expected node {node} here, found {fields[0]!r}", file=where,
                                    row=line, column=column))
        values = [_number(field) for field in fields[1:]]
        for field_name, field, number in zip(names, fields[1:], values, strict=True):
            if number is None:
                problems.append(Problem(f"{field!r} is not a number", file=where, row=line,
                                        column=f"{column} {field_name}"))
            elif field_name != "x" and field_name != "y" and number < 0:
                problems.append(Problem(f"{field_name} {field} is negative", file=where, row=line,
                                        column=f"{column} {field_name}"))
            elif field_name == "demand" and not number.is_integer():
                problems.append(Problem(f"demand {field} is not a whole number", file=where,
                                        row=line, column=f"{column} {field_name}"))
        ready, due = values if name == "TIME_WINDOW" else (None, None)
        if ready is not None and due is not None and ready > due:
            problems.append(Problem(f"ready {fields[1]} is after due {fields[2]}", file=where,
                                    row=line, column=column))


def check_vrplib_text(text: str, where: str) -> list[Problem]:
    """Every problem of a VRPLIB (C)VRPTW instance's text that would keep
    `read_instance` from reading it, each with its line and field; [] when none.

    Lines are split as vrplib splits them: blank and `#` lines skipped, `EOF`
    ends the file, `NAME_SECTION` starts a section, `KEY : VALUE` is a
    specification before the sections."""
    problems: list[Problem] = []
    specs: dict[str, tuple[int, str]] = {}
    sections: dict[str, tuple[int, list[tuple[int, list[str]]]]] = {}
    current: list[tuple[int, list[str]]] | None = None
    for line, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if "EOF" in stripped:
            break
        if "_SECTION" in stripped:
            name = stripped.strip(" :").removesuffix("_SECTION").upper()
            if name not in SECTION_FIELDS and name != "DEPOT":
                problems.append(Problem(f"unknown section {stripped!r}", file=where, row=line))
            elif name in sections:
                problems.append(Problem(f"a second {name}_SECTION", file=where, row=line))
            current = []
            sections.setdefault(name, (line, current))
        elif ":" in stripped:
            key, _, value = stripped.partition(":")
            if current is not None:
                problems.append(Problem(f"a specification after the sections: {stripped!r}",
                                        file=where, row=line, column=key.strip().upper()))
            else:
                specs[key.strip().upper()] = (line, value.strip())
        elif current is not None:
            current.append((line, stripped.split()))
        else:
            # Another format (e.g. a Cordeau PVRP file): one problem, not one per line.
            problems.append(Problem(f"not a VRPLIB instance: expected KEY : VALUE or a "
                                    f"NAME_SECTION line, found {stripped[:40]!r}", file=where,
                                    row=line))
            return problems
    if not specs and not sections:
        return [Problem("the file holds no VRPLIB instance (it is empty)", file=where)]
    dimension = _check_specifications(specs, where, problems)
    if "SERVICE_TIME" in specs and "SERVICE_TIME" in sections:
        problems.append(Problem("SERVICE_TIME is given both as a line and as a section",
                                file=where, row=sections["SERVICE_TIME"][0]))
    for name in REQUIRED_SECTIONS:
        if name not in sections:
            problems.append(Problem(f"no {name}_SECTION", file=where, column=f"{name}_SECTION"))
    for name, (header, rows) in sections.items():
        if name in SECTION_FIELDS or name == "DEPOT":
            _check_section(name, header, rows, dimension, where, problems)
    return problems


def read_instance(path: str | Path) -> VrptwProblem:
    """Read a single-depot VRPLIB (C)VRPTW instance under the DIMACS convention;
    raises `InputError` with every problem of the file (see `check_vrplib_text`)."""
    where = str(path)
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError([Problem(f"cannot read the instance: {error}", file=where)]) from error
    if problems := check_vrplib_text(text, where):
        raise InputError(problems)
    try:
        raw = parse_vrplib(text)
    except (ValueError, RuntimeError, KeyError, IndexError) as error:
        # A shape the line checks above do not foresee: still the file's fault.
        raise InputError([Problem(f"not a VRPLIB instance: {error}", file=where)]) from error
    size = int(raw["dimension"])
    matrix = np.floor(DIMACS_SCALE * np.asarray(raw["edge_weight"], dtype=float)).astype(np.int64)
    windows = np.asarray(raw["time_window"], dtype=np.int64) * DIMACS_SCALE
    service = np.broadcast_to(np.asarray(raw.get("service_time", 0)), (size,)) * DIMACS_SCALE
    demand = np.asarray(raw.get("demand", np.zeros(size)), dtype=np.int64)
    clients = tuple(
        Client(
            tw_early=int(windows[node, 0]),
            tw_late=int(windows[node, 1]),
            service=int(service[node]),
            demand=int(demand[node]),
            name=str(node),
        )
        for node in range(1, size)
    )
    vehicles = VehicleType(
        count=int(raw.get("vehicles", size - 1)),
        capacity=int(raw["capacity"]),
        tw_early=int(windows[0, 0]),
        tw_late=int(windows[0, 1]),
        name="vehicle",
    )
    return VrptwProblem(
        depots=(Depot(name="depot"),),
        clients=clients,
        vehicle_types=(vehicles,),
        distance=matrix,
        duration=matrix,
        name=str(raw.get("name", Path(path).stem)),
    )


def read_solution_routes(path: str | Path) -> list[list[int]]:
    """Routes of a VRPLIB `.sol` file as customer numbers (1..N)."""
    return [list(map(int, route)) for route in vrplib.read_solution(str(path))["routes"]]


def read_bks(path: str | Path) -> dict[str, BestKnown]:
    """`bks.csv` (instance, vehicles, distance) as instance name -> BestKnown."""
    with open(path, newline="") as handle:
        return {
            row["instance"]: BestKnown(int(row["vehicles"]), float(row["distance"]))
            for row in csv.DictReader(handle)
        }


def customer_routes(solution: VrptwSolution) -> list[list[int]]:
    """A solution's routes as customer numbers (1..N), as in the `.sol` files."""
    return [[client + 1 for client in route.clients] for route in solution.routes]


def solution_from_customer_routes(
    problem: VrptwProblem, routes: list[list[int]], *, solver: str = "given"
) -> VrptwSolution:
    """Evaluate routes given as customer numbers (e.g. a `.sol` file) on `problem`;
    useful as a warm start or to check a best-known solution."""
    return evaluate_routes(
        problem,
        [(0, [number - 1 for number in route]) for route in routes],
        solver=solver,
        runtime_s=0.0,
    )
