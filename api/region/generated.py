"""A generated region folder (SPEC §1): region.toml, a shared holidays.csv and N department
folders of 6-30 managers each, town and countryside territories, leave and pair history
(`data/generate_region.py` writes one; `fieldweek bench region` plans one).

Each department is `benchmarks.departments.generate_department` (the benchmark's seeded
department) moved to an office of its own on a grid over the city, with a day of leave
in the week (two in the bigger ones). Seeded: the same arguments write byte-identical files."""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

from benchmarks.departments import BENCH_WEEK, KM_PER_DEGREE_LAT, OFFICE, generate_department
from engine.domain import Department, GeoPoint, Leave
from engine.load import write_department

OFFICE_SPACING_KM = 30.0
"""Offices on a grid this far apart: neighbouring departments' countryside does not overlap."""
SECOND_LEAVE_FROM = 12
"""Every department has a manager on a day's leave in the week; from this many managers, two."""
SHARED_HOLIDAYS = (("2026-12-31", "公司年终盘点"),)


def _moved(department: Department, north_km: float, east_km: float) -> Department:
    """The department with its office and every retailer moved by the offset."""
    dlat = north_km / KM_PER_DEGREE_LAT
    dlon = east_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(OFFICE.lat)))
    office = GeoPoint(lat=round(department.office.lat + dlat, 6), lon=round(department.office.lon + dlon, 6))
    retailers = tuple(r.model_copy(update={"lat": round(r.lat + dlat, 6), "lon": round(r.lon + dlon, 6)})
                      for r in department.retailers)
    return department.model_copy(update={"office": office, "retailers": retailers})


def _grid_offset(index: int) -> tuple[float, float]:
    side = math.ceil(math.sqrt(index + 1))
    row, col = divmod(index, max(side, 1))
    return row * OFFICE_SPACING_KM, col * OFFICE_SPACING_KM


def region_department(index: int, managers: int, seed: int, retailers_per_manager: int,
                      region: str) -> Department:
    """The index-th department of the region: a generated department, named, moved, with leave."""
    base = generate_department(managers, seed=seed * 1000 + index, retailers_per_manager=retailers_per_manager)
    rng = random.Random(f"fieldweek-region-{seed}-{index}")
    leave = list(base.leave)
    while len(leave) < 1 + (managers >= SECOND_LEAVE_FROM):
        away = rng.choice([m.id for m in base.managers[1:] if m.id not in {lv.manager for lv in leave}])
        leave.append(Leave(manager=away, date=BENCH_WEEK + dt.timedelta(days=rng.randrange(5))))
    named = base.model_copy(update={"name": f"{region}第{index + 1}营销部", "leave": tuple(leave),
                                    "market_manager": f"市场经理{index + 1}"})
    return _moved(named, *_grid_offset(index))


def write_region(out: Path, departments: int, seed: int, min_managers: int, max_managers: int,
                 retailers_per_manager: int, name: str) -> list[Path]:
    """Write the region folder; returns the department folders."""
    rng = random.Random(f"fieldweek-region-{seed}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "region.toml").write_text(
        f'name = "{name}"\npolicy = "15-13-7"\nholidays = "holidays.csv"\n', encoding="utf-8")
    (out / "holidays.csv").write_text(
        "date,name\n" + "".join(f"{day},{label}\n" for day, label in SHARED_HOLIDAYS), encoding="utf-8")
    folders = []
    for index in range(departments):
        managers = rng.randint(min_managers, max_managers)
        folder = out / f"dept{index + 1:02d}"
        write_department(region_department(index, managers, seed, retailers_per_manager, name), folder)
        folders.append(folder)
    return folders
