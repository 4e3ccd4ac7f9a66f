"""Hypothesis strategies that generate departments: managers with mixed seniority,
territories of retailers around an office, random leave and pair history."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from engine.domain import Department, GeoPoint, Leave, Manager, PairHistory, Retailer

WEEK = dt.date(2026, 11, 23)
OFFICE = GeoPoint(lat=30.69, lon=104.08)


def territory(manager_id: str, centre: tuple[float, float], size: int, seed: int) -> list[Retailer]:
    """`size` retailers around `centre`; the first four are POS targets, the last two promotion stores."""
    retailers = []
    for k in range(size):
        spread = ((seed * 31 + k * 17) % 100) / 10000
        retailers.append(Retailer(
            id=f"{manager_id}-r{k:02d}", name=f"shop {k}",
            lat=centre[0] + spread, lon=centre[1] - spread, manager=manager_id,
            **{"class": "ABC"[k % 3]}, visits_per_4_weeks=(4, 2, 1)[k % 3], area="town",
            opens=8 * 60, closes=21 * 60, service_min=10,
            pos_target=k < 4, promo_store=k >= size - 2))
    return retailers


@st.composite
def departments(draw, min_managers: int = 1, max_managers: int = 30) -> Department:
    n = draw(st.integers(min_managers, max_managers))
    managers = tuple(
        Manager(id=f"m{i:02d}", name=f"Manager {i}", years=draw(st.sampled_from([0.5, 1, 3, 6, 12])))
        for i in range(1, n + 1))
    retailers: list[Retailer] = []
    for i, m in enumerate(managers):
        centre = (30.66 + (i % 6) * 0.01, 104.05 + (i // 6) * 0.01)
        retailers += territory(m.id, centre, 8, i)
    leave: list[Leave] = []
    for m in managers:
        kind = draw(st.sampled_from(["none", "none", "none", "day", "part"]))
        day = WEEK + dt.timedelta(days=draw(st.integers(0, 4)))
        if kind == "day":
            leave.append(Leave(manager=m.id, date=day))
        elif kind == "part":
            start = draw(st.sampled_from([8 * 60, 13 * 60, 15 * 60]))
            leave.append(Leave(manager=m.id, date=day, start=start, end=start + 120))
    history: list[PairHistory] = []
    ids = [m.id for m in managers]
    for week in range(1, draw(st.integers(0, 3)) + 1):
        order = draw(st.permutations(ids))
        for a, b in zip(order[::2], order[1::2], strict=False):
            history.append(PairHistory(week_start=WEEK - dt.timedelta(weeks=week), manager=a,
                                       partner=b, kind="maintenance"))
    return Department(name="generated", office=OFFICE, policy="15-13-7", market_manager="boss",
                      managers=managers, retailers=tuple(retailers), leave=tuple(leave),
                      history=tuple(history))


def simple_department(n: int, leave: tuple[Leave, ...] = ()) -> Department:
    """`n` managers, alternating seniors and newcomers, no history."""
    managers = tuple(Manager(id=f"m{i:02d}", name=f"Manager {i}", years=(12 if i % 2 else 1))
                     for i in range(1, n + 1))
    retailers = [r for i, m in enumerate(managers)
                 for r in territory(m.id, (30.66 + i * 0.01, 104.05), 8, i)]
    return Department(name=f"dept{n}", office=OFFICE, policy="15-13-7", market_manager="boss",
                      managers=managers, retailers=tuple(retailers), leave=leave)
