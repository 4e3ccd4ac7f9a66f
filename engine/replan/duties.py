"""The week's specialist duties after the events (SPEC §2). A duty is done in the week's
admin time, so a manager the absences keep off every working minute of the week cannot
carry one. His duty goes to a present manager by the week planner's own rule
(`engine.timetable.duties.staff_duties`), or, when nobody can take it, is listed in
`unfilled_duties` with why. A duty whose holders are all still in stays as it was."""

from __future__ import annotations

import dataclasses

from engine.domain import Duty, DutyGap
from engine.replan.situation import Situation
from engine.timetable.duties import on_leave_all_week, staff_duties
from engine.timetable.week import WeekFrame


@dataclasses.dataclass(frozen=True)
class Staffing:
    """Who carries each duty for the re-planned week, the duties left short, and what
    changed, in words (for the re-plan's notes)."""

    duties: tuple[Duty, ...]
    unfilled: tuple[DutyGap, ...]
    notes: tuple[str, ...] = ()


def replanned_duties(situation: Situation, frame: WeekFrame) -> Staffing:
    """The plan's duties with every duty a manager off all week held (`frame` is the
    re-plan's week, its absences as leave) staffed again by the planner's rule."""
    plan = situation.timetable
    away = on_leave_all_week(frame)
    lost = {d.duty for d in plan.duties if d.manager in away}
    if not lost:
        return Staffing(plan.duties, plan.unfilled_duties)
    staffed, gaps = staff_duties(situation.department, situation.policy, away)
    order = [rule.name for rule in situation.policy.duties]

    def rank(name: str) -> int:  # the policy's order, as the week planner lists them
        return order.index(name) if name in order else len(order)

    duties = sorted([d for d in plan.duties if d.duty not in lost] + [d for d in staffed if d.duty in lost],
                    key=lambda d: rank(d.duty))
    unfilled = sorted([g for g in plan.unfilled_duties if g.duty not in lost] + [g for g in gaps if g.duty in lost],
                      key=lambda g: rank(g.duty))
    notes = [_handed_over(name, plan.duties, duties, unfilled) for name in sorted(lost, key=rank)]
    return Staffing(tuple(duties), tuple(unfilled), tuple(notes))


def _handed_over(name: str, before: tuple[Duty, ...], after: list[Duty], unfilled: list[DutyGap]) -> str:
    """What became of a duty whose holder is off all week: "duty 'x': m01 is off all
    week, so m04 takes it over", and why it stays short when nobody can."""
    old = {d.manager for d in before if d.duty == name}
    new = {d.manager for d in after if d.duty == name}
    off, taking = sorted(old - new), ", ".join(sorted(new - old))
    said = f"duty {name!r}: {', '.join(off)} {'is' if len(off) == 1 else 'are'} off all week"
    said += f", so {taking} takes it over" if taking else ""
    gap = next((g for g in unfilled if g.duty == name), None)
    if gap is not None:
        said += (f"; it has {gap.managers_assigned} of the {gap.managers_needed} manager(s) it needs "
                 f"this week: {gap.reason}")
    return said
