"""The region folder (SPEC §1): `region.toml` (`name`, optional `policy`, optional
`holidays` and `street_network` files shared by every department) and one department
folder per sub-folder that holds a `department.toml`, each in the department format.

A department is loaded with the same loader as `fieldweek plan`, so a bad department
carries the same problems (file, row, column) the single-department command prints;
a bad region.toml or shared holidays file is the region's own input error."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

from engine.domain import CalendarDay, Department
from engine.errors import InputError, Problem
from engine.load import META_FILE, load_department_with_policy
from engine.month import read_holidays
from engine.policy import Policy

REGION_FILE = "region.toml"
REGION_KEYS = ("name", "policy", "holidays", "street_network")


@dataclass(frozen=True)
class Region:
    """What region.toml says, and the department folders beside it."""

    root: Path
    name: str
    policy: str | None
    holidays: frozenset[dt.date]
    street_network: Path | None
    departments: tuple[Path, ...]


@dataclass(frozen=True)
class LoadedDepartment:
    """A department folder of the region: loaded, or the input error that stopped it."""

    folder: Path
    department: Department | None = None
    policy: Policy | None = None
    error: InputError | None = None

    @property
    def name(self) -> str:
        return self.department.name if self.department is not None else self.folder.name


def read_region(root: Path) -> Region:
    """The region at `root`; an InputError naming region.toml (or the shared holidays
    file) for anything wrong in the region's own files."""
    path = root / REGION_FILE
    if not path.is_file():
        raise InputError([Problem(f"there is no {REGION_FILE} in {root}", file=REGION_FILE)])
    try:
        settings = tomllib.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError([Problem(f"not a readable TOML file: {error}", file=REGION_FILE)]) from None
    problems = [Problem(f"unknown setting '{key}' (known settings: {', '.join(REGION_KEYS)})",
                        file=REGION_FILE, column=key) for key in settings if key not in REGION_KEYS]
    for key in REGION_KEYS:
        value = settings.get(key)
        if (key == "name" and value is None) or (value is not None and not
                                                 (isinstance(value, str) and value.strip())):
            problems.append(Problem(f"{key} must be a non-empty text", file=REGION_FILE, column=key))
    street = settings.get("street_network")
    if isinstance(street, str) and street.strip() and not (root / street).is_file():
        problems.append(Problem(f"no street network file at {street}", file=REGION_FILE,
                                column="street_network"))
    if problems:
        raise InputError(problems)
    departments = tuple(sorted(p for p in root.iterdir() if (p / META_FILE).is_file()))
    if not departments:
        raise InputError([Problem(f"no department folder (a sub-folder with {META_FILE}) in {root}",
                                  file=REGION_FILE)])
    return Region(
        root=root, name=settings["name"].strip(), policy=_policy_of(root, settings.get("policy")),
        holidays=frozenset(_shared_holidays(root, settings.get("holidays"))),
        street_network=root / street if isinstance(street, str) and street.strip() else None,
        departments=departments,
    )


def _policy_of(root: Path, name: str | None) -> str | None:
    """A built-in policy name as it is; a TOML path relative to the region folder."""
    if name is None:
        return None
    return str(root / name) if (root / name).is_file() else name.strip()


def _shared_holidays(root: Path, name: str | None) -> set[dt.date]:
    """The region's holidays: the file region.toml names, else holidays.csv if present."""
    if name is None:
        return read_holidays(root)
    folder = (root / name).parent
    if not (root / name).is_file():
        raise InputError([Problem(f"no holidays file at {name}", file=REGION_FILE, column="holidays")])
    if (root / name).name != "holidays.csv":
        raise InputError([Problem("the shared holidays file must be called holidays.csv",
                                  file=REGION_FILE, column="holidays")])
    return read_holidays(folder)


def load_region_department(region: Region, folder: Path, policy: str | None = None) -> LoadedDepartment:
    """One department of the region, with the region's policy (or `policy`) and its shared
    holidays added to the department's own calendar (the department's own days win)."""
    try:
        department, pol = load_department_with_policy(folder, policy or region.policy)
    except InputError as error:
        return LoadedDepartment(folder, error=error)
    own = {day.date for day in department.calendar_days}
    shared = tuple(CalendarDay(date=d, kind="holiday", name=region.name)
                   for d in sorted(region.holidays) if d not in own)
    if shared:
        department = department.model_copy(update={"calendar_days": department.calendar_days + shared})
    return LoadedDepartment(folder, department, pol)


def error_text(error: InputError) -> str:
    """The problems of an input, one per line, in the words the single-department
    commands print (message — file, row, column)."""
    return "\n".join(str(problem) for problem in error.problems)
