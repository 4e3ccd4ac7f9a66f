"""Specialist duties (SPEC §2): "terminal devices → the manager with an IT background;
difficult customers → the most senior; terminal image showcase → two managers" —
assigned by skill, falling back on seniority where the policy says so. A duty the
managers' skills cannot fill is never dropped in silence: it is a `DutyGap` with its
reason."""

from __future__ import annotations

from collections.abc import Collection

from engine.domain import Department, Duty, DutyGap, Manager
from engine.policy import Policy
from engine.timetable.week import WeekFrame


def assign_duties(department: Department, policy: Policy,
                  away: Collection[str] = frozenset()) -> list[Duty]:
    """Managers with the duty's skill take it, most experienced first; a duty with the
    `most_senior` fallback is filled up with the most senior managers. A manager in
    `away` (on leave all week) takes none."""
    return staff_duties(department, policy, away)[0]


def staff_duties(department: Department, policy: Policy,
                 away: Collection[str] = frozenset()) -> tuple[list[Duty], list[DutyGap]]:
    """The duties as `assign_duties` gives them, and every duty left with fewer managers
    than the policy asks, saying why (no or too few managers with its skill, or those
    with it on leave all week)."""
    by_seniority = sorted((m for m in department.managers if m.id not in away), key=lambda m: (-m.years, m.id))
    duties: list[Duty] = []
    gaps: list[DutyGap] = []
    for rule in policy.duties:
        skilled = [m for m in by_seniority if rule.skill in m.skills]
        chosen = skilled[: rule.managers]
        if len(chosen) < rule.managers and rule.fallback == "most_senior":
            chosen += [m for m in by_seniority if m not in chosen][: rule.managers - len(chosen)]
        duties += [Duty(manager=m.id, duty=rule.name) for m in chosen]
        if len(chosen) < rule.managers:
            absent = sorted(m.id for m in department.managers if m.id in away and rule.skill in m.skills)
            gaps.append(DutyGap(duty=rule.name, managers_needed=rule.managers, managers_assigned=len(chosen),
                                reason=_gap_reason(rule.skill, skilled, chosen, absent)))
    return duties, gaps


def on_leave_all_week(frame: WeekFrame) -> frozenset[str]:
    """The managers on leave every working minute of the week: they can carry no duty."""
    return frozenset(m for m, mw in frame.managers.items() if mw.presence <= 0)


def _gap_reason(skill: str, skilled: list[Manager], chosen: list[Manager], away: list[str]) -> str:
    """Why a duty is short: `skilled` are the managers present this week with its skill,
    `away` those with it on leave all week."""
    gone = f"; {', '.join(away)} with the skill on leave all week" if away else ""
    if len(chosen) > len(skilled):  # the fallback took every manager there is
        return (f"the department has only {len(chosen)} manager(s) present this week "
                f"({len(skilled)} with the skill {skill!r}){gone}")
    if not skilled and away:
        return (f"every manager with the skill {skill!r} ({', '.join(away)}) is on leave all week; "
                "give it to more managers in managers.csv, column skills")
    if not skilled:
        return f"no manager has the skill {skill!r}; give it to managers in managers.csv, column skills"
    names = ", ".join(m.id for m in skilled)
    present = " present this week" if away else ""
    return (f"only {len(skilled)} manager(s){present} have the skill {skill!r} ({names}){gone}; "
            "give it to more managers in managers.csv, column skills")
