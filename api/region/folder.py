"""The region folder (SPEC §1): `region.toml` (`name`, optional `policy`, optional
`holidays` and `street_network` files shared by every department) and one department
folder per sub-folder, each in the department format. Every sub-folder is a department
(but a hidden one, `.git`, or `__pycache__`): one without its `department.toml`, or
empty, is reported as a department that could not be read, never left out unseen.

A department is loaded with the same loader as `fieldweek plan`, so a bad department
carries the same problems (file, row, column) the single-department command prints;
a bad region.toml or shared holidays file is the region's own input error."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from engine.domain import Department
from engine.errors import InputError, Problem
from engine.load import (
    META_FILE,
    REGION_FILE,
    load_department_with_policy,
    read_region_settings,
    shared_holidays,
    with_shared_holidays,
)
from engine.policy import Policy

REGION_KEYS = ("name", "policy", "holidays", "street_network")
EMPTY_FOLDER = "the folder is empty"


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
    settings = read_region_settings(root)
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
    departments = tuple(sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))))
    if not any((p / META_FILE).is_file() for p in departments):
        raise InputError([Problem(f"no department folder (a sub-folder with {META_FILE}) in {root}",
                                  file=REGION_FILE)])
    return Region(
        root=root, name=settings["name"].strip(), policy=_policy_of(root, settings.get("policy")),
        holidays=frozenset(shared_holidays(root, settings.get("holidays"))),
        street_network=root / street if isinstance(street, str) and street.strip() else None,
        departments=departments,
    )


def _policy_of(root: Path, name: str | None) -> str | None:
    """A built-in policy name as it is; a TOML path relative to the region folder."""
    if name is None:
        return None
    return str(root / name) if (root / name).is_file() else name.strip()


def load_region_department(region: Region, folder: Path, policy: str | None = None) -> LoadedDepartment:
    """One department of the region, with the region's policy (or `policy`) and its shared
    holidays added to the department's own calendar (the department's own days win). The
    loader adds them already to a department folder inside the region folder; adding them
    here again changes nothing then, and keeps a region's holidays on any folder it lists."""
    if not any(folder.iterdir()):
        return LoadedDepartment(folder, error=InputError([Problem(EMPTY_FOLDER)]))
    try:
        department, pol = load_department_with_policy(folder, policy or region.policy)
    except InputError as error:
        return LoadedDepartment(folder, error=error)
    return LoadedDepartment(folder, with_shared_holidays(department, region.holidays, region.name), pol)


def error_text(error: InputError) -> str:
    """The problems of an input, one per line, in the words the single-department
    commands print (message — file, row, column); a file the message names already is
    not named again ("managers.csv is missing", not "… — managers.csv")."""
    return "\n".join(problem.message if _names_its_file(problem) else str(problem) for problem in error.problems)


def _names_its_file(problem: Problem) -> bool:
    return (problem.file is not None and problem.row is None and not problem.column
            and problem.message.startswith(problem.file))
