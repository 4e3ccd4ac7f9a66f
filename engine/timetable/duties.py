"""Specialist duties (SPEC §2): "terminal devices → the manager with an IT background;
difficult customers → the most senior; terminal image showcase → two managers" —
assigned by skill, falling back on seniority where the policy says so."""

from __future__ import annotations

from engine.domain import Department, Duty
from engine.policy import Policy


def assign_duties(department: Department, policy: Policy) -> list[Duty]:
    """Managers with the duty's skill take it, most experienced first; a duty with the
    `most_senior` fallback is filled up with the most senior managers."""
    by_seniority = sorted(department.managers, key=lambda m: (-m.years, m.id))
    duties: list[Duty] = []
    for rule in policy.duties:
        skilled = [m for m in by_seniority if rule.skill in m.skills]
        chosen = skilled[: rule.managers]
        if len(chosen) < rule.managers and rule.fallback == "most_senior":
            chosen += [m for m in by_seniority if m not in chosen][: rule.managers - len(chosen)]
        duties += [Duty(manager=m.id, duty=rule.name) for m in chosen]
    return duties
