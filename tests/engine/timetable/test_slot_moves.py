"""The department slots moved while the week gets cheaper (slot_moves.py): the moves stay
in each slot's window, the descent keeps only moves that pay, and the first week built
with them is a week the independent checker accepts, at its moved slots."""

from __future__ import annotations

import time

import pytest

import engine.timetable.decompose as decompose
from engine.check.timetable import check_timetable
from engine.domain import Timetable
from engine.policy import Policy, load_policy
from engine.timetable.extract import extract_blocks
from engine.timetable.hints import complete_hints, hint_from_blocks
from engine.timetable.slot_moves import DepartmentSlot, move_slots, slot_moves
from tests.engine.timetable.short_weeks import MONDAY, department_north, joint_model

NEAR = {"m1": 0.01, "m2": 0.02, "m3": 0.015, "m4": 0.025}


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy("15-13-7")


@pytest.fixture(scope="module")
def tm(policy: Policy):
    return joint_model(department_north(NEAR), policy)


def _window(tm, kind: str, day: int) -> tuple[int, int]:
    occurrence = next(o for o in tm.department_blocks[kind] if o.day == day)
    domain = list(occurrence.start.proto.domain)
    return domain[0], domain[-1]


def test_every_move_stays_in_its_slots_window_and_a_weekly_slot_tries_other_days(tm) -> None:
    wednesday_meeting = _window(tm, "meeting", 2)
    slots = [DepartmentSlot("meeting", 0, _window(tm, "meeting", 0)[0], 4),
             DepartmentSlot("meeting", 2, wednesday_meeting[1], 2),
             DepartmentSlot("site_study", 3, _window(tm, "site_study", 3)[0], 6)]
    moved = list(slot_moves(tm, slots, None))
    assert moved
    changed = []
    for candidate in moved:
        differ = [(a, b) for a, b in zip(slots, candidate, strict=True) if a != b]
        assert len(differ) == 1, "a move changes one slot"
        changed.append(differ[0])
        _, after = differ[0]
        low, high = _window(tm, after.kind, after.day)
        assert low <= after.start <= high
    # Monday's meeting has a window of one start: it never moves.
    assert all(before.kind != "meeting" or before.day != 0 for before, _ in changed)
    # The Wednesday meeting at the end of its window can only move earlier.
    wednesday = [after.start for before, after in changed if before.kind == "meeting" and before.day == 2]
    assert wednesday and all(start < wednesday_meeting[1] for start in wednesday)
    # The site study (a weekly slot) is tried on each other working day.
    days = {after.day for before, after in changed if before.kind == "site_study" and after.day != before.day}
    assert days == {d.index for d in tm.frame.days} - {3}


def test_the_descent_keeps_only_moves_that_pay_and_follows_one_that_did(tm) -> None:
    """A stated cost (distance of the Wednesday meeting from a target start): the descent
    walks there step by step, and every kept week is the one its cost came with."""
    low, high = _window(tm, "meeting", 2)
    target = low + 3 * 4
    slots = [DepartmentSlot("meeting", 2, high, 2)]
    tried: list[int] = []

    def stated(moved: list[DepartmentSlot]) -> tuple[float, int]:
        tried.append(moved[0].start)
        return float(abs(moved[0].start - target)), moved[0].start

    final, cost, kept = move_slots(tm, slots, float(high - target), stated, time.perf_counter() + 30)
    assert final[0].start == kept == target + (high - target) % 3
    assert cost == abs(final[0].start - target)
    assert cost < 3, "no step left pays"
    assert len(tried) < 3 * (high - target)  # followed the move that paid, not every move each time


def test_no_time_no_move(tm) -> None:
    slots = [DepartmentSlot("meeting", 2, _window(tm, "meeting", 2)[1], 2)]
    final, cost, kept = move_slots(tm, slots, 5.0, lambda moved: (0.0, "never"), time.perf_counter() - 1)
    assert (final, cost, kept) == (slots, 5.0, None)


def test_the_first_week_sits_at_its_moved_slots_and_passes_the_checker(policy: Policy, monkeypatch) -> None:
    department = department_north(NEAR)
    tm = joint_model(department, policy)
    seen: list[tuple[float, float, list[DepartmentSlot]]] = []
    real = decompose.move_slots

    def recorded(tm_, slots, cost, solve_groups, deadline, stall_s=None):
        final, final_cost, kept = real(tm_, slots, cost, solve_groups, deadline, stall_s)
        seen.append((cost, final_cost, final))
        return final, final_cost, kept

    monkeypatch.setattr(decompose, "move_slots", recorded)
    blocks = decompose.decomposed_plan(tm, time_limit_s=4.0, hard_limit_s=8.0)
    assert blocks is not None and len(seen) == 1
    before, after, final = seen[0]
    assert after <= before
    days = sorted({b.date for b in blocks})
    for slot in final:
        placed = {(b.start, b.end) for b in blocks if b.kind == slot.kind and b.date == days[slot.day]}
        assert placed == {(slot.start * tm.grid, (slot.start + slot.size) * tm.grid)}
    # The first week is the joint model's start: completed as solve_timetable completes it,
    # it is a week the independent checker accepts.
    hint_from_blocks(tm, blocks)
    start = complete_hints(tm, 5.0)
    assert start is not None
    completed, _ = extract_blocks(tm, start)
    week = Timetable(department=department.name, policy=policy.name, week_start=MONDAY, status="feasible",
                     blocks=tuple(completed))
    assert check_timetable(department, policy, week) == []


def test_a_stall_ends_the_moves_when_none_pays(tm) -> None:
    """With `stall_s`, the descent ends that long after its last kept move (the month's
    weeks: a search that has settled is better spent on the next week)."""
    slots = [DepartmentSlot("meeting", 2, _window(tm, "meeting", 2)[1], 2)]
    tried: list[float] = []

    def slow_and_never_better(moved: list[DepartmentSlot]) -> tuple[float, str]:
        tried.append(time.perf_counter())
        time.sleep(0.2)
        return 10.0, "worse"

    started = time.perf_counter()
    final, cost, kept = move_slots(tm, slots, 5.0, slow_and_never_better, started + 30, stall_s=0.5)
    assert (final, cost, kept) == (slots, 5.0, None)
    assert 1 <= len(tried) <= 3  # not every move (there are more), and stopped well before the deadline
