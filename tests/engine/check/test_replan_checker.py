"""The independent re-plan checker: a re-planned week that keeps the past (a block under
way when a manager falls ill cut there, his lunch as it was), plans nothing while a
manager is off sick, nothing at a closed place, and loses only what the events took
passes, and each reading of a re-plan can fail: a changed past block (a worked part
dropped, a block under way kept whole), a block during the absence, a lunch taken away,
a session at a closed store, a shortfall beyond what the events took or of a manager
they did not touch, and a pair block from `now` on of a manager no longer present
enough to be paired.

Every plan here is typed by hand with the timetable checker's builders: a three-day
week (Mon-Wed), m01+m02 and m03+m04 in pairs."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable

import pytest

from engine.check.replan import Closure, ReplanVerdict, Sickness, check_replan, sick_leave
from engine.check.timetable import check_timetable
from engine.errors import InputError
from tests.engine.check.test_timetable_checker import (
    MONDAY,
    TEST_POLICY,
    build_week,
    find,
    make_department,
    on,
)

MANAGERS = ("m01", "m02", "m03", "m04")
TUESDAY_13 = dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(13, 0))
MONDAY_13 = dt.datetime.combine(MONDAY, dt.time(13, 0))


def week() -> dict:
    """The plan of the week: every manager's own blocks, two pairs, everyone at meetings."""
    return build_week(MANAGERS, groups=(("m01", "m02"), ("m03", "m04")))


def clock(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def replanned(before: dict, now: dt.datetime, dropped: Callable[[dict], bool]) -> dict:
    """`before` without the blocks from `now` on that `dropped` picks; meetings and the
    site study lose the dropped managers from their lists of attendees."""
    after = copy.deepcopy(before)
    moment = (now.date().isoformat(), now.hour * 60 + now.minute)

    def gone(b: dict) -> bool:
        return (b["date"], clock(b["start"])) >= moment and dropped(b)

    away = {(b["date"], b["kind"], b["start"], b["manager"]) for b in after["blocks"] if gone(b)}
    after["blocks"] = [b for b in after["blocks"] if not gone(b)]
    for b in after["blocks"]:
        if b["kind"] in ("meeting", "site_study"):
            b["with"] = [m for m in b["with"] if (b["date"], b["kind"], b["start"], m) not in away]
    return after


def off_tuesday_afternoon(b: dict) -> bool:
    """m02 is off on Tuesday afternoon; m01's Tuesday maintenance with him is lost too."""
    tuesday = on("tue")
    return b["date"] == tuesday and (b["manager"] == "m02" or (b["manager"] == "m01" and b["kind"] == "maintenance"))


def judge(after: dict, now: dt.datetime = TUESDAY_13, until: dt.date | None = MONDAY + dt.timedelta(days=1),
          before: dict | None = None) -> ReplanVerdict:
    return check_replan(make_department(MANAGERS), TEST_POLICY, before or week(), after, now,
                        [Sickness("m02", now, until)])


@pytest.fixture
def after() -> dict:
    """m02 falls ill on Tuesday at 13:00 for the afternoon: the re-plan drops what he
    cannot do and the maintenance his partner cannot do without him."""
    return replanned(week(), TUESDAY_13, off_tuesday_afternoon)


# -- a re-plan that keeps the rules ------------------------------------------------------------


def test_a_re_plan_that_drops_only_what_the_sickness_took_passes(after) -> None:
    """No violation; the hours lost are listed as shortfalls within what the absence took."""
    verdict = judge(after)
    assert verdict.violations == []
    assert verdict.executable
    short = {(s.manager, s.kind, s.unit): (s.planned, s.asked, s.lost) for s in verdict.shortfalls}
    assert short[("m01", "maintenance", "min")] == (60, 120, 60)
    assert short[("m02", "maintenance", "sessions")] == (1, 2, 1)
    assert short[("m02", "pos_project", "min")] == (60, 120, 60)
    assert all(s.manager in ("m01", "m02") for s in verdict.shortfalls)
    assert "off sick from Tue 2024-03-05 13:00" in verdict.shortfalls[0].message
    assert verdict.as_dict()["shortfalls"][0]["message"] == verdict.shortfalls[0].message


def test_a_re_plan_declaring_the_hours_the_sickness_took_is_no_false_claim(after) -> None:
    """The re-planned timetable may say what it is short of: where the absence explains the
    shortfall, the declaration is no false claim; declaring a kind the week is not short
    of still is one."""
    after = {**after, "shortfalls": [
        {"manager": "m02", "kind": "pos_project", "minutes_short": 60, "sessions_short": 1}]}
    assert judge(after).violations == []
    after["shortfalls"].append({"manager": "m03", "kind": "pos_project", "minutes_short": 60})
    assert [(v.rule, v.manager) for v in judge(after).violations] == [("pos_project_households", "m03")]


def test_the_timetable_checker_alone_would_fault_the_lost_hours(after) -> None:
    """Why the re-plan needs its own reading: the week's checker, with the sickness as
    leave, reports the pair's lost maintenance as a broken quota."""
    now, until = TUESDAY_13, MONDAY + dt.timedelta(days=1)
    department = make_department(MANAGERS)
    sick = department.model_copy(update={"leave": sick_leave(TEST_POLICY, week(), now,
                                                               [Sickness("m02", now, until)])})
    assert "maintenance_pairs" in {v.rule for v in check_timetable(sick, TEST_POLICY, after)}


def test_sickness_starts_when_he_falls_ill_even_before_the_replan() -> None:
    """At 14:30 the re-plan hears m02 has been ill since 12:30: he is off from 12:30 (what
    was planned for him since was not done), not from the re-plan's moment."""
    now = dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(14, 30))
    leave = sick_leave(TEST_POLICY, week(), now, [Sickness("m02", now - dt.timedelta(hours=2))])
    assert [(lv.date, lv.start, lv.end) for lv in leave] == [
        (MONDAY + dt.timedelta(days=1), clock("12:30"), clock("17:30")),
        (MONDAY + dt.timedelta(days=2), None, None),
    ]


def cut_at(plan: dict, manager: str, kind: str, start: str, end: str | None) -> dict:
    """`plan` with the manager's Tuesday block of `kind` starting at `start` ending at
    `end` instead (None: without it)."""
    plan = copy.deepcopy(plan)
    block = next(b for b in plan["blocks"] if b["manager"] == manager and b["date"] == on("tue")
                 and b["kind"] == kind and b["start"] == start)
    plan["blocks"].remove(block)
    if end is not None:
        plan["blocks"].append({**block, "end": end})
    return plan


def test_a_block_under_way_when_he_falls_ill_ends_then() -> None:
    """m02 falls ill at 14:30 in his POS-project session (14:20-15:20): the ten minutes he
    worked stay in the week, the rest is what the sickness took. A re-plan that keeps
    the whole session has him working while off sick (`leave`) and changes the past; one
    that drops it loses the part he worked (`replan_past_changed`); the piece itself is
    judged as the piece it is, not as a session of the policy's length."""
    now = dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(14, 30))
    kept = replanned(week(), now, off_tuesday_afternoon)
    verdict = judge(kept, now=now)
    assert {("leave", "m02"), ("replan_past_changed", "m02")} <= {(v.rule, v.manager) for v in verdict.violations}
    assert any("it ends then, at 14:30, but the re-planned week has all of it" in v.message
               for v in verdict.violations)
    dropped = judge(cut_at(kept, "m02", "pos_project", "14:20", None), now=now)
    (past,) = [v for v in dropped.violations if v.rule == "replan_past_changed"]
    assert (past.manager, past.time) == ("m02", "14:20–14:30")
    assert "the part he worked, 14:20–14:30, stays in the week" in past.message
    verdict = judge(cut_at(kept, "m02", "pos_project", "14:20", "14:30"), now=now)
    assert verdict.violations == []
    assert [(s.planned, s.asked, s.lost) for s in verdict.shortfalls
            if (s.manager, s.kind, s.unit) == ("m02", "pos_project", "min")] == [(70, 120, 50)]
    assert all("off sick from Tue 2024-03-05 14:30" in s.message for s in verdict.shortfalls)


def test_in_a_block_until_he_falls_ill_later_that_day_nothing_new_starts() -> None:
    """At 14:30 m02 is in his POS-project session (14:20-15:20) and falls ill at 15:00:
    the session ends at 15:00 (he is off before it ends) and nothing new of his day is
    owed or allowed from 14:30, for he is in the session until 15:00."""
    now = dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(14, 30))
    ill = now + dt.timedelta(minutes=30)
    after = cut_at(replanned(week(), now, off_tuesday_afternoon), "m02", "pos_project", "14:20", "15:00")

    def verdict(plan: dict) -> ReplanVerdict:
        return check_replan(make_department(MANAGERS), TEST_POLICY, week(), plan, now,
                            [Sickness("m02", ill, MONDAY + dt.timedelta(days=1))])

    assert verdict(after).violations == []
    busy = copy.deepcopy(after)
    busy["blocks"].append({"manager": "m02", "date": on("tue"), "kind": "admin", "start": "14:30", "end": "14:40"})
    assert ("no_overlap", "m02") in {(v.rule, v.manager) for v in verdict(busy).violations}
    assert ("replan_past_changed", "m02") in {
        (v.rule, v.manager) for v in verdict(cut_at(after, "m02", "pos_project", "14:20", None)).violations}


def test_pair_blocks_before_now_of_a_manager_no_longer_present_enough_are_kept() -> None:
    """m02 is off from Tuesday 13:00 for the rest of the week (51% present, below the
    60% to be paired): his Monday maintenance with m01 happened while he was present,
    and m01, left without a partner, loses the rest of the pair's sessions."""
    after = replanned(week(), TUESDAY_13,
                      lambda b: b["manager"] == "m02" or (b["manager"] == "m01" and b["kind"] in ("maintenance", "promotion")))
    verdict = judge(after, until=None)
    assert verdict.violations == []
    assert {(s.manager, s.kind) for s in verdict.shortfalls} >= {("m01", "maintenance"), ("m01", "promotion")}


# -- each reading can fail ------------------------------------------------------------------------


def test_a_changed_past_block_is_caught(after) -> None:
    """m03's Monday office work moved by ten minutes: gone as it was, and new before `now`."""
    moved = find(after, "m03", "admin", "mon")
    moved["start"], moved["end"] = "16:20", "17:20"
    found = [v for v in judge(after).violations if v.rule == "replan_past_changed"]
    assert [(v.manager, v.time) for v in found] == [("m03", "16:10–17:10"), ("m03", "16:20–17:20")]
    assert "is not in the re-planned week as it was" in found[0].message
    assert "did not have it" in found[1].message


def test_a_block_added_before_now_is_caught(after) -> None:
    after["blocks"].append({**find(after, "m04", "admin", "mon"), "start": "11:10", "end": "11:40"})
    assert "replan_past_changed" in {v.rule for v in judge(after).violations}


def test_a_block_during_the_absence_is_caught(after) -> None:
    """m02's Tuesday phone slot at 15:40 kept although he is off from 13:00."""
    after["blocks"].append(find(week(), "m02", "phone", "tue"))
    found = [v for v in judge(after).violations if v.rule == "leave"]
    assert [(v.manager, v.time) for v in found] == [("m02", "15:40–16:10")]


def test_a_shortfall_beyond_what_the_absence_took_is_caught(after) -> None:
    """Dropping the pair's Wednesday promotion too (m02 is back on Wednesday) is a fault."""
    after = replanned(after, TUESDAY_13, lambda b: b["manager"] in ("m01", "m02") and b["kind"] == "promotion")
    verdict = judge(after)
    assert {(v.rule, v.manager) for v in verdict.violations} >= {("promotion_pairs", "m01"),
                                                                 ("promotion_pairs", "m02")}
    assert not [s for s in verdict.shortfalls if s.kind == "promotion"]


def test_a_shortfall_of_a_manager_no_absence_touched_is_caught(after) -> None:
    """m03 and m04 lose their Wednesday promotion: nobody of theirs was ill."""
    after = replanned(after, TUESDAY_13, lambda b: b["manager"] in ("m03", "m04") and b["kind"] == "promotion")
    assert {(v.rule, v.manager) for v in judge(after).violations} == {("promotion_pairs", "m03"),
                                                                      ("promotion_pairs", "m04")}


def test_a_partner_s_absence_excuses_only_the_pair_s_kinds(after) -> None:
    """m01's own office work on Tuesday afternoon owes nothing to m02's sickness."""
    after = replanned(after, TUESDAY_13, lambda b: b["manager"] == "m01" and b["kind"] == "admin")
    assert {(v.rule, v.manager) for v in judge(after).violations} == {("admin_time", "m01")}


def test_a_pair_block_from_now_on_of_a_manager_no_longer_present_enough_is_caught() -> None:
    """m02 is off from Monday 13:00 to the end of Tuesday (51% present): his Wednesday
    promotion with m01 is a pairing fault, for him and for m01."""
    after = replanned(week(), MONDAY_13,
                      lambda b: (b["manager"] == "m02" and b["date"] != on("wed"))
                      or (b["manager"] == "m01" and b["kind"] == "maintenance"))
    found = [v for v in judge(after, now=MONDAY_13).violations if v.rule == "pairing"]
    assert {v.manager for v in found} == {"m01", "m02"}
    assert any("below the 60% needed to be paired, yet has in-store promotion on Wed" in v.message
               for v in found)


def test_a_new_partner_while_the_old_one_is_still_in_is_caught(after) -> None:
    """m01 and m03 swap into each other's pair for the Wednesday promotion."""
    for manager, partner in (("m01", "m03"), ("m03", "m01"), ("m02", "m04"), ("m04", "m02")):
        find(after, manager, "promotion", "wed")["with"] = [partner]
    for manager in ("m01", "m03"):
        find(after, manager, "promotion", "wed")["retailer"] = "r-m01-3"
    for manager in ("m02", "m04"):
        find(after, manager, "promotion", "wed")["retailer"] = "r-m02-3"
    messages = [v.message for v in judge(after).violations if v.rule == "pairing"]
    assert any("m01 works with m03 from Tue 2024-03-05 13:00 on" in m for m in messages), messages


def test_the_lunch_he_takes_before_he_falls_ill_stays_as_it_was() -> None:
    """At Tuesday 10:00 m02 is known to fall ill at 13:00 (for the day): his lunch
    (12:00-13:00) is over by then and stays as it was. A re-plan that drops it to make
    room, or moves it, is caught (`lunch`), once, in the words of that rule."""
    now, ill = (dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(h, 0)) for h in (10, 13))
    after = replanned(week(), now, lambda b: b["date"] == on("tue") and (
        (b["manager"] == "m02" and clock(b["start"]) >= clock("13:00"))
        or (b["manager"] == "m01" and b["kind"] == "maintenance")))

    def verdict(plan: dict) -> ReplanVerdict:
        return check_replan(make_department(MANAGERS), TEST_POLICY, week(), plan, now,
                            [Sickness("m02", ill, MONDAY + dt.timedelta(days=1))])

    assert verdict(after).violations == []
    no_lunch = cut_at(after, "m02", "lunch", "12:00", None)
    assert [(v.rule, v.manager) for v in verdict(no_lunch).violations] == [("lunch", "m02")]
    assert "stays as it was" in verdict(no_lunch).violations[0].message
    moved = copy.deepcopy(after)
    lunch = find(moved, "m02", "lunch", "tue")
    lunch["start"], lunch["end"] = "11:10", "12:10"
    assert ("lunch", "m02") in {(v.rule, v.manager) for v in verdict(moved).violations}


def test_a_lunch_under_way_when_he_falls_ill_stays_as_it_was() -> None:
    """m02 falls ill at 12:30, in his lunch (12:00-13:00): the lunch is no work to cut, it
    stays as it was and is no fault of `leave`; cut at 12:30 it is a changed past."""
    now = dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(12, 30))
    after = replanned(week(), now, off_tuesday_afternoon)
    judged = judge(after, now=now)
    assert judged.violations == []
    cut = judge(cut_at(after, "m02", "lunch", "12:00", "12:30"), now=now)
    assert ("replan_past_changed", "m02") in {(v.rule, v.manager) for v in cut.violations}


def test_a_re_plan_never_takes_a_lunch_away_to_make_room() -> None:
    """m03 is on leave on Wednesday from 13:00 (planned with the week); his plan had a
    lunch, and a re-plan on Tuesday that takes it away is caught (`lunch`), once: the
    leave leaves the lunch window room, so the week's own reading owes it (it was optional
    as soon as a leave touched the window, and the re-plan's rule 3d reported it). One
    that keeps it, or moves it, is not."""
    wednesday = MONDAY + dt.timedelta(days=2)
    department = make_department(MANAGERS, leave=[
        {"manager": "m03", "date": wednesday.isoformat(), "start": "13:00", "end": "17:30"}])
    before = copy.deepcopy(week())
    before["blocks"] = [b for b in before["blocks"] if not (
        b["date"] == on("wed") and ((b["kind"] == "promotion" and b["manager"] in ("m03", "m04"))
                                    or (b["manager"] == "m03" and b["kind"] == "site_study")))]

    def lunch_faults(plan: dict) -> list[str]:
        verdict = check_replan(department, TEST_POLICY, before, plan, TUESDAY_13, [])
        return [v.message for v in verdict.violations if (v.rule, v.manager) == ("lunch", "m03")]

    assert lunch_faults(before) == []
    moved = copy.deepcopy(before)
    lunch = find(moved, "m03", "lunch", "wed")
    lunch["start"], lunch["end"] = "11:00", "12:00"
    assert lunch_faults(moved) == []
    gone = {**before, "blocks": [b for b in before["blocks"] if b != find(before, "m03", "lunch", "wed")]}
    (fault,) = lunch_faults(gone)
    assert "has no lunch on" in fault


def test_nothing_is_held_at_a_retailer_on_a_day_it_is_closed() -> None:
    """m01's promotion store r-m01-3 is closed on Wednesday, the day of the pair's
    promotion there: a re-plan that keeps the session there is caught (the kind's rule,
    for both partners); one that drops it passes, the hours lost to the closure listed as
    shortfalls in its words."""
    closed = [Closure("r-m01-3", MONDAY + dt.timedelta(days=2))]

    def verdict(plan: dict) -> ReplanVerdict:
        return check_replan(make_department(MANAGERS), TEST_POLICY, week(), plan, TUESDAY_13, [], closed)

    kept = verdict(week())
    assert {(v.rule, v.manager) for v in kept.violations} == {("promotion_pairs", "m01"), ("promotion_pairs", "m02")}
    assert "r-m01-3 closed on Wed 2024-03-06" in kept.violations[0].message
    dropped = verdict(replanned(week(), TUESDAY_13, lambda b: b["kind"] == "promotion"
                                and b["manager"] in ("m01", "m02")))
    assert dropped.violations == []
    assert {s.manager for s in dropped.shortfalls} == {"m01", "m02"}
    assert all("r-m01-3 closed on Wed 2024-03-06 took" in s.message for s in dropped.shortfalls)
    cancelled = check_replan(make_department(MANAGERS), TEST_POLICY, week(), week(), TUESDAY_13, [],
                             [Closure("r-m01-3", MONDAY + dt.timedelta(days=1), onwards=True)])
    assert {(v.rule, v.manager) for v in cancelled.violations} == {("promotion_pairs", "m01"),
                                                                   ("promotion_pairs", "m02")}


def test_a_sickness_of_a_stranger_is_bad_input(after) -> None:
    with pytest.raises(InputError) as error:
        check_replan(make_department(MANAGERS), TEST_POLICY, week(), after, TUESDAY_13,
                     [Sickness("m99", TUESDAY_13)])
    assert error.value.problems[0].column == "manager"


def test_a_re_plan_that_found_no_week_is_not_judged() -> None:
    failed = {**week(), "status": "infeasible", "blocks": []}
    assert judge(failed) == ReplanVerdict([], [])


def test_a_re_planned_week_may_carry_the_plans_not_owed_lines(after: dict) -> None:
    """A re-plan keeps the plan's declared 'his leave takes the meeting' lines (it dropped
    them, and `fieldweek score` then faulted the week); its checker, which does not ask for
    them, must not fault them either (it said 'not a weekly kind')."""
    after["shortfalls"] = [{"manager": "m03", "kind": "meeting", "minutes_short": 40, "sessions_short": 1,
                            "not_owed": True, "reason": "on Mon m03 misses the meeting for his leave"}]
    assert judge(after).violations == []


def test_a_trio_goes_on_as_a_pair_when_one_falls_ill_for_the_rest_of_the_week() -> None:
    """The trio m01-m03 holds Monday's and Tuesday's maintenance and Wednesday's promotion;
    m01 falls ill on Wednesday for the rest of the week (re-planned on Monday at 13:00,
    before Monday's session). m02 and m03 hold Wednesday's promotion as a pair: still the
    trio with its third member ill, not a new group. The checker read the sessions before
    the sickness as the trio and Wednesday's as a pair of two (tester's d7: "m01 works
    with different partners … a group stays together for the whole week", 4 faults)."""
    trio = ("m01", "m02", "m03")
    wednesday = MONDAY + dt.timedelta(days=2)
    after = replanned(build_week(trio), MONDAY_13,
                      lambda b: b["manager"] == "m01" and b["date"] == wednesday.isoformat())
    for b in after["blocks"]:
        if b["date"] == wednesday.isoformat() and b["kind"] == "promotion":
            b["with"] = [m for m in b["with"] if m != "m01"]
            b["retailer"] = "r-m02-3"  # the store of one of the two still in
    sick = [Sickness("m01", dt.datetime.combine(wednesday, dt.time(8, 0)))]
    verdict = check_replan(make_department(trio), TEST_POLICY, build_week(trio), after, MONDAY_13, sick)
    assert verdict.violations == [], [v.message for v in verdict.violations]
    # Leaving m01 out of Tuesday's session while he is still in is still a broken group.
    tuesday = (MONDAY + dt.timedelta(days=1)).isoformat()
    after["blocks"] = [b for b in after["blocks"]
                       if not (b["date"] == tuesday and b["kind"] == "maintenance" and b["manager"] == "m01")]
    for b in after["blocks"]:
        if b["date"] == tuesday and b["kind"] == "maintenance":
            b["with"] = [m for m in b["with"] if m != "m01"]
    verdict = check_replan(make_department(trio), TEST_POLICY, build_week(trio), after, MONDAY_13, sick)
    assert "pairing" in {v.rule for v in verdict.violations}


def test_the_partner_of_one_who_falls_ill_in_their_session_names_him_only_for_the_part_they_shared() -> None:
    """m02 falls ill at 13:30 in the pair's maintenance (13:10-14:10), re-planned at 13:40:
    m01 goes on alone, his session held in two parts, 13:10-13:30 with m02 and 13:30-14:10
    with nobody (the one session it is for the rules). Kept whole, naming m02 to 14:10,
    it says m02 worked after he fell ill (tester's rB: m07's 12:30-14:30 "with m06", who
    stopped at 13:00)."""
    tuesday = on("tue")
    now = dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(13, 40))
    ill = now - dt.timedelta(minutes=10)
    kept = cut_at(replanned(week(), now, lambda b: b["manager"] == "m02" and b["date"] == tuesday),
                  "m02", "maintenance", "13:10", "13:30")

    def verdict(after: dict) -> ReplanVerdict:
        return check_replan(make_department(MANAGERS), TEST_POLICY, week(), after, now,
                            [Sickness("m02", ill, MONDAY + dt.timedelta(days=1))])

    whole = verdict(kept)
    assert {(v.rule, v.manager) for v in whole.violations} == {("replan_past_changed", "m01")}
    split = cut_at(kept, "m01", "maintenance", "13:10", "13:30")
    split["blocks"].append({**find(kept, "m01", "maintenance", "tue"), "start": "13:30", "with": []})
    assert verdict(split).violations == [], [v.message for v in verdict(split).violations]
