"""Where each block of a timetable is held, as the judges read it, and the ride between
two blocks of a manager's day (SPEC §3, §6: "a manager is in one place at a time, with
riding time between").

The places come from the timetable and the department alone, never from a planner:

- a block that names a retailer (a POS household, the pair's promotion store or
  maintenance site) is at that retailer;
- an office block (phone, meeting, office work) and a department block that names no
  retailer (the site study, which the market manager leads out from the office) are at
  the office;
- the visit block is in the manager's area: the retailers due to him that week by the
  judges' due rule (engine/check/spec.py). A visit block is there for visiting, so its
  route reaches at least one of them; whichever it starts or ends at, the ride into or
  out of the area is at least the ride to or from the due retailer nearest the other
  place. That least ride is the one judged here; where the route really starts and
  ends, and whether it reaches the next fixed block in time, is the route checker's
  to judge (`late_for_appointment`, `office_return`). With nothing due that week the
  day may have no stop at all, so no ride is asked;
- any other field block (one that names no place) has no place the judges know: no
  ride is judged to or from it, and the policy's fixed buffers still hold around it.

Rides are the judges' own (spec.py `ride`: straight line × the policy's detour at its
speeds, the office riding as a town point).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engine.check.spec import Point, expected_visits, held_at_office, ride
from engine.domain import Department
from engine.policy import Policy

VISIT = "visit"


@dataclass(frozen=True)
class Place:
    """A place a block is held at: one point, or (the visit area) several, of which the
    nearest counts. `names` say each point in words, in the order of `points`."""

    points: tuple[Point, ...]
    names: tuple[str, ...]


@dataclass(frozen=True)
class Ride:
    """The least ride from one block's place to the next one's, and its two ends in words."""

    minutes: int
    origin: str
    target: str


class BlockPlaces:
    """The places of one department's blocks in one week, and the rides between them."""

    def __init__(self, department: Department, policy: Policy, week_start: dt.date):
        self.policy = policy
        self.retailers = {r.id: r for r in department.retailers}
        self.office = Place(((department.office.lat, department.office.lon, "town"),), ("the office",))
        due: dict[str, list[str]] = {}
        for retailer in department.retailers:
            if expected_visits(retailer.id, retailer.visits_per_4_weeks, week_start) > 0:
                due.setdefault(retailer.manager, []).append(retailer.id)
        self.areas = {
            manager: Place(tuple(self._point(r) for r in ids),
                           tuple(f"his due retailers (nearest: {self._named(r)})" for r in ids))
            for manager, ids in due.items()
        }

    def _point(self, retailer_id: str) -> Point:
        retailer = self.retailers[retailer_id]
        return retailer.lat, retailer.lon, retailer.area

    def _named(self, retailer_id: str) -> str:
        return f"{retailer_id} ({self.retailers[retailer_id].name})"

    def of(self, manager: str, kind: str, retailer: str | None) -> Place | None:
        """The place of a manager's block of `kind` (naming `retailer`, if any); None
        when the judges know none (see the module text)."""
        if retailer is not None and retailer in self.retailers:
            return Place((self._point(retailer),), (self._named(retailer),))
        if kind == VISIT:
            return self.areas.get(manager)
        if held_at_office(self.policy, kind):
            return self.office
        return None

    def ride(self, origin: Place, target: Place) -> Ride:
        """The least ride from any point of `origin` to any point of `target`."""
        minutes, i, j = min(
            (ride(self.policy, a, b)[1], i, j)
            for i, a in enumerate(origin.points)
            for j, b in enumerate(target.points)
        )
        return Ride(minutes, origin.names[i], target.names[j])
