"""Who is a manager's neighbour: the one statement of it for the planners (the re-plan's
hand-over, engine/replan/handover.py; the weekly routes of a manager absent all week,
plan.py). A neighbour's territory centre lies within the policy's
`replan.neighbour_max_km` of the manager's."""

from __future__ import annotations

from collections.abc import Mapping

from engine.routing.matrix import great_circle_km


def neighbours(manager: str, centres: Mapping[str, tuple[float, float]], max_km: float) -> list[str]:
    """Managers whose territory centre lies within `max_km` of `manager`'s, nearest first."""
    others = [m for m in centres if m != manager]
    if not others or manager not in centres:
        return []
    km = great_circle_km([centres[manager][0]], [centres[manager][1]],
                         [centres[m][0] for m in others], [centres[m][1] for m in others])[0]
    return [m for d, m in sorted(zip(km.tolist(), others, strict=True)) if d <= max_km]
