"""Specialist duties (SPEC §2): "terminal devices → the manager with an IT background;
difficult customers → the most senior; terminal image showcase → two managers" —
assigned by skill, falling back on seniority where the policy says so. A duty the
managers' skills cannot fill is never dropped in silence: it is a `DutyGap` with its
reason."""

from __future__ import annotations

from engine.domain import Department, Duty, DutyGap, Manager
from engine.policy import Policy


def assign_duties(department: Department, policy: Policy) -> list[Duty]:
    """Managers with the duty's skill take it, most experienced first; a duty with the
    `most_senior` fallback is filled up with the most senior managers."""
    return staff_duties(department, policy)[0]


def staff_duties(department: Department, policy: Policy) -> tuple[list[Duty], list[DutyGap]]:
    """The duties as `assign_duties` gives them, and every duty left with fewer managers
    than the policy asks, saying why (no or too few managers with its skill)."""
    by_seniority = sorted(department.managers, key=lambda m: (-m.years, m.id))
    duties: list[Duty] = []
    gaps: list[DutyGap] = []
    for rule in policy.duties:
        skilled = [m for m in by_seniority if rule.skill in m.skills]
        chosen = skilled[: rule.managers]
        if len(chosen) < rule.managers and rule.fallback == "most_senior":
            chosen += [m for m in by_seniority if m not in chosen][: rule.managers - len(chosen)]
        duties += [Duty(manager=m.id, duty=rule.name) for m in chosen]
        if len(chosen) < rule.managers:
            gaps.append(DutyGap(duty=rule.name, managers_needed=rule.managers,
                                managers_assigned=len(chosen), reason=_gap_reason(rule.skill, skilled, chosen)))
    return duties, gaps


def _gap_reason(skill: str, skilled: list[Manager], chosen: list[Manager]) -> str:
    if len(chosen) > len(skilled):  # the fallback took every manager there is
        return (f"the department has only {len(chosen)} manager(s) in all "
                f"({len(skilled)} with the skill {skill!r})")
    if not skilled:
        return f"no manager has the skill {skill!r}; give it to managers in managers.csv, column skills"
    names = ", ".join(m.id for m in skilled)
    return (f"only {len(skilled)} manager(s) have the skill {skill!r} ({names}); "
            "give it to more managers in managers.csv, column skills")
