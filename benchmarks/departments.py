"""Seeded departments of any head-count for the timetable benchmark.

    python benchmarks/departments.py 24 --seed 1 --out /tmp/dept24   # write a folder

`generate_department(n, seed)` gives the same department for the same (n, seed):
managers with a mix of seniors, middles and newcomers, a few with the skills the
policy's duties ask for, one manager on leave in departments of eight or more,
four weeks of pair history, and a territory per manager around the office — town
cells in a square around it, countryside wedges further out for every fourth
manager — with POS targets and promotion stores in every territory. The
timetable only needs territory centres, targets and stores, so territories are
small (`retailers_per_manager`); the routes benchmark uses data/sample instead.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
from pathlib import Path

from engine.domain import Department, GeoPoint, Leave, Manager, PairHistory, Retailer

OFFICE = GeoPoint(lat=30.6921, lon=104.0874)
KM_PER_DEGREE_LAT = 111.32
TOWN_CELL_KM = 2.5
COUNTRY_RING_KM = (12.0, 26.0)
BENCH_WEEK = dt.date(2026, 11, 23)

FAMILY = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜洋静磊敏勇杰霞刚丽超强军平辉明华英玲峰斌"
# (years low, years high, share): seniors coach newcomers, so both must exist.
SENIORITY = ((6.0, 20.0, 0.3), (2.0, 5.0, 0.4), (0.2, 1.9, 0.3))
SKILLS = ("it", "difficult", "showcase")


def _offset(north_km: float, east_km: float) -> tuple[float, float]:
    lat = OFFICE.lat + north_km / KM_PER_DEGREE_LAT
    lon = OFFICE.lon + east_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(OFFICE.lat)))
    return round(lat, 6), round(lon, 6)


def _town_cell(index: int) -> tuple[float, float]:
    """Centre (north km, east km) of the index-th town cell, spiralling out from the office."""
    side = 1
    while side * side <= index:
        side += 2
    cells = [(r, c) for r in range(side) for c in range(side)]
    cells.sort(key=lambda rc: (max(abs(rc[0] - side // 2), abs(rc[1] - side // 2)), rc))
    row, col = cells[index]
    return (row - side // 2) * TOWN_CELL_KM, (col - side // 2) * TOWN_CELL_KM


def _years(rng: random.Random) -> float:
    low, high, _ = rng.choices(SENIORITY, weights=[s[-1] for s in SENIORITY])[0]
    return round(rng.uniform(low, high), 1)


def generate_department(
    managers: int,
    seed: int = 0,
    week_start: dt.date = BENCH_WEEK,
    retailers_per_manager: int = 30,
    policy: str = "15-13-7",
) -> Department:
    """A plausible department of `managers` customer managers, the same for the same seed."""
    if managers < 1:
        raise ValueError("a department needs at least one manager")
    rng = random.Random(f"fieldweek-bench-{managers}-{seed}")
    people: list[Manager] = []
    for i in range(managers):
        skills = tuple(s for s in SKILLS if rng.random() < 0.15)
        name = rng.choice(FAMILY) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.5 else "")
        people.append(Manager(id=f"m{i + 1:02d}", name=name, years=_years(rng), skills=skills))
    retailers: list[Retailer] = []
    town_index = 0
    for i, manager in enumerate(people):
        country = i % 4 == 3
        if country:
            angle = rng.uniform(0, 2 * math.pi)
            distance = rng.uniform(*COUNTRY_RING_KM)
            centre = (distance * math.sin(angle), distance * math.cos(angle))
            spread = 4.0
        else:
            centre = _town_cell(town_index)
            town_index += 1
            spread = TOWN_CELL_KM / 2
        for j in range(retailers_per_manager):
            north = centre[0] + rng.uniform(-spread, spread)
            east = centre[1] + rng.uniform(-spread, spread)
            lat, lon = _offset(north, east)
            opens = rng.choice((420, 450, 480, 480, 480, 510, 540))
            closes = rng.choice((1140, 1200, 1260, 1260, 1320))
            retailer_class = rng.choices("ABC", weights=(0.2, 0.3, 0.5))[0]
            retailers.append(
                Retailer(
                    id=f"R{manager.id[1:]}{j + 1:03d}",
                    name=f"{manager.name[0]}记{'超市' if j % 5 == 0 else '烟酒店'}{j + 1}",
                    lat=lat,
                    lon=lon,
                    manager=manager.id,
                    **{"class": retailer_class},
                    visits_per_4_weeks={"A": 4, "B": 2, "C": 1}[retailer_class],
                    area="country" if country else "town",
                    opens=opens,
                    closes=closes,
                    service_min=rng.choice((8, 8, 10, 12)),
                    # Every territory holds enough targets and stores for a week's sessions.
                    pos_target=j % 6 == 0,
                    promo_store=j % 10 == 1,
                )
            )
    leave: list[Leave] = []
    if managers >= 8:
        on_leave = rng.choice(people[1:]).id
        leave.append(Leave(manager=on_leave, date=week_start + dt.timedelta(days=rng.randrange(5))))
    history: list[PairHistory] = []
    for week in range(1, 5):
        order = [m.id for m in people]
        rng.shuffle(order)
        for a, b in zip(order[::2], order[1::2], strict=False):
            history.append(PairHistory(week_start=week_start - dt.timedelta(weeks=week),
                                       manager=a, partner=b, kind="maintenance"))
    return Department(
        name=f"基准部门{managers}人",
        office=OFFICE,
        policy=policy,
        market_manager="市场经理",
        managers=tuple(people),
        retailers=tuple(retailers),
        leave=tuple(leave),
        history=tuple(history),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("managers", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    from engine.load import write_department

    write_department(generate_department(args.managers, args.seed), args.out)


if __name__ == "__main__":
    main()
