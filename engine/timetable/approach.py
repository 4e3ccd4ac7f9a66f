"""The ride from the office into each manager's territory, which decides how late the
day's visit block may start: "first retailer reached by 09:30" (SPEC §3) holds only if
the block starts early enough to ride to the nearest retailer due that week."""

from __future__ import annotations

import datetime as dt

from engine.domain import Department
from engine.policy import Policy
from engine.routing.due import due_retailers
from engine.routing.matrix import straight_line_matrix


def approach_minutes(department: Department, policy: Policy, week_start: dt.date) -> dict[str, int]:
    """Minutes from the office to each manager's nearest retailer due this week (or in
    his territory when none is due); 0 for a manager without retailers."""
    office = department.office
    rides: dict[str, int] = {}
    for manager in department.managers:
        targets = [d.retailer for d in due_retailers(department, week_start, manager.id)]
        targets = targets or department.territory(manager.id)
        if not targets:
            rides[manager.id] = 0
            continue
        matrix = straight_line_matrix(
            [office.lat, *(r.lat for r in targets)],
            [office.lon, *(r.lon for r in targets)],
            ["town", *(r.area for r in targets)],
            policy.travel,
        )
        rides[manager.id] = int(matrix.minutes[0, 1:].min())
    return rides
