"""`fieldweek month --previous`: the month spaced from the previous month's actual visits.

Each month was planned and checked alone, its first visits spaced from where the calendar
assumes the previous month's fall (tester's d6_634, November then December: weekly class-A
shops visited Fri 11-27 and again Tue 12-01, two working days apart where the policy asks
4-6; a weekly A owed to November on Mon 11-30, left out there, and owed to nobody in
December). Given the previous month's plan, the planner spaces the first visits from its
actual last visits and owes the straddling week's visits it left out on this month's days
of that week; the month checker, given it too, flags a first visit too close (or too far).

December 2026, one manager, weekly class-A shops: X1 counts its visit of the week of 11-30
on 12-02 (December's), O4 on Mon 11-30 (November's). His only visit day of that week is
Tue 12-01."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.check.month import check_month
from engine.domain import Block, Department, GeoPoint, Manager, Retailer, Timetable
from engine.errors import InputError
from engine.month import (
    DueInWeek,
    MonthParams,
    MonthPlan,
    MonthRoute,
    MonthStop,
    Unplanned,
    _unread_notes,
    department_fingerprint,
    plan_month,
    previous_month,
)
from engine.policy import Policy, parse_clock
from engine.routing.due import due_days

MONDAYS = [dt.date(2026, 11, 30) + dt.timedelta(weeks=w) for w in range(5)]
CLOSE, LEFT = "x1", "o4"
"""X1: visited Fri 11-27 by November; O4: owed to November on 11-30 and left out there."""
FAST = MonthParams(assign_time_limit_s=0.5, route_time_limit_s=0.05, rounds=1, workers=1, processes=1)


def _shop(rid: str, km_north: float) -> Retailer:
    return Retailer.model_validate({"id": rid, "name": rid, "lat": 30.66 + km_north / 111.2, "lon": 104.05,
                                    "manager": "m1", "class": "A", "visits_per_4_weeks": 4, "area": "town",
                                    "opens": 7 * 60, "closes": 22 * 60, "service_min": 15})


def _department() -> Department:
    return Department(name="d", office=GeoPoint(lat=30.66, lon=104.05), policy="15-13-7", market_manager="boss",
                      managers=(Manager(id="m1", name="M", years=5),),
                      retailers=(_shop(CLOSE, 2), _shop(LEFT, 3)))


def _weeks(policy: Policy) -> dict[dt.date, Timetable]:
    """A visit block 08:30-14:00 every weekday, but in the week of 11-30 only on Tue 12-01."""
    def days(monday: dt.date) -> list[dt.date]:
        return [dt.date(2026, 12, 1)] if monday == MONDAYS[0] else [monday + dt.timedelta(days=d) for d in range(5)]

    return {monday: Timetable(department="d", policy=policy.name, week_start=monday, status="feasible",
                              blocks=tuple(Block(manager="m1", date=d, kind="visit", start=parse_clock("08:30"),
                                                 end=parse_clock("14:00")) for d in days(monday)))
            for monday in MONDAYS}


def _november(policy: Policy) -> dict:
    """November's plan as `month --json` writes it: X1 last on Fri 11-27, O4 on Tue 11-24 and
    its visit owed on Mon 11-30 left out (time_window)."""
    first = dt.date(2026, 11, 1)
    days = tuple(d for d in (first + dt.timedelta(days=n) for n in range(30)) if d.weekday() < 5)
    visits = {CLOSE: [dt.date(2026, 11, 6), dt.date(2026, 11, 13), dt.date(2026, 11, 20), dt.date(2026, 11, 27)],
              LEFT: [dt.date(2026, 11, 3), dt.date(2026, 11, 10), dt.date(2026, 11, 17), dt.date(2026, 11, 24)]}
    routes = tuple(MonthRoute(manager="m1", date=d, visit_start=510, visit_end=840, start_from="office",
                              stops=(MonthStop(retailer=rid, arrive=540, start=540, end=555),))
                   for rid, dates in visits.items() for d in dates)
    return MonthPlan(department="d", policy=policy.name, month="2026-11", days=days, routes=routes,
                     unplanned=(Unplanned(retailer=LEFT, manager="m1", wanted=5, planned=4, reason="time_window"),),
                     due=(DueInWeek(week_start=MONDAYS[0], retailer=LEFT, manager="m1", visits=1),
                          DueInWeek(week_start=MONDAYS[0], retailer=CLOSE, manager="m1", visits=0, other_month=1)),
                     visits=8, wanted=9).to_json_dict()


def test_the_shops_count_their_week_of_11_30_as_the_cases_need() -> None:
    week = [MONDAYS[0] + dt.timedelta(days=d) for d in range(5)]
    assert due_days(CLOSE, 4, week) == [dt.date(2026, 12, 2)]
    assert due_days(LEFT, 4, week) == [MONDAYS[0]]


def _visits(plan: MonthPlan, rid: str) -> list[dt.date]:
    return sorted(r.date for r in plan.routes for s in r.stops if s.retailer == rid)


def test_the_previous_months_last_visit_spaces_the_first(policy_15_13_7: Policy) -> None:
    """Alone, December visits X1 on 12-01, 2 working days after November's 11-27 (the
    checker given November: `spacing`, too close) and leaves O4's week of 11-30 to November.
    With November's plan: X1's visit of that week is left out (its one day lies too close),
    O4's owed visit is made on 12-01, and the checker finds nothing."""
    policy, department, weeks = policy_15_13_7, _department(), _weeks(policy_15_13_7)
    november = _november(policy)
    alone = plan_month(department, policy, 2026, 12, set(), timetables=weeks, params=FAST)
    assert _visits(alone, CLOSE)[0] == dt.date(2026, 12, 1)
    assert dt.date(2026, 12, 1) not in _visits(alone, LEFT)
    found = check_month(alone, department, policy, set(), weeks, previous=november)
    assert any(v.rule == "spacing" and v.retailer == CLOSE and "too close" in v.message for v in found), found
    assert any(v.rule == "count" and v.retailer == LEFT for v in found), found
    assert not check_month(alone, department, policy, set(), weeks)  # alone, it passed

    after = plan_month(department, policy, 2026, 12, set(), timetables=weeks, params=FAST,
                       previous=previous_month(november, department, 2026, 12))
    assert _visits(after, CLOSE)[0] >= dt.date(2026, 12, 3)
    assert _visits(after, LEFT)[0] == dt.date(2026, 12, 1)
    assert [u.reason for u in after.unplanned if u.retailer == CLOSE] == ["spacing"]
    assert check_month(after, department, policy, set(), weeks, previous=november) == []
    assert after.department_fingerprint == department_fingerprint(department)
    assert previous_month(after.to_json_dict(), department, 2027, 1, policy=policy.name).visits[LEFT]


def test_the_checker_flags_a_first_visit_too_close_or_too_far_from_the_previous_months_last(
        policy_15_13_7: Policy) -> None:
    """X1's last November visit on `last`, its December visits weekly from `first` on (O4's
    on the Mondays and 12-01, as owed): 11-27 then 12-01 is 2 working days (too close, 4-6
    asked), 11-24 then 12-04 is 8 (too far), 11-25 then 12-01 is 4 (kept). Without November
    the checker knows none of it."""
    policy, department = policy_15_13_7, _department()
    days = [d for d in (dt.date(2026, 12, 1) + dt.timedelta(days=n) for n in range(31)) if d.weekday() < 5]

    def december(first: dt.date) -> dict:
        visits = {CLOSE: [first + dt.timedelta(days=7 * w) for w in range(5) if first.day + 7 * w <= 31],
                  LEFT: [dt.date(2026, 12, 1), *MONDAYS[1:]]}
        on: dict[dt.date, list[str]] = {}
        for rid, dates in visits.items():
            for d in dates:
                on.setdefault(d, []).append(rid)
        routes = [{"manager": "m1", "date": d.isoformat(), "visit_start": "08:30", "visit_end": "14:00",
                   "stops": [{"retailer": rid, "arrive": f"{9 + n}:00", "start": f"{9 + n}:00", "end": f"{9 + n}:15"}
                             for n, rid in enumerate(stops)]} for d, stops in sorted(on.items())]
        return {"department": "d", "month": "2026-12", "days": [d.isoformat() for d in days], "routes": routes,
                "unplanned": []}

    def november(last: dt.date) -> dict:
        data = _november(policy)
        data["routes"] = [{**r, "date": last.isoformat()} if r["date"] == "2026-11-27" else r for r in data["routes"]]
        return data

    def spacing(first: dt.date, last: dt.date | None) -> list[str]:
        return [v.message for v in check_month(december(first), department, policy, set(),
                                               previous=november(last) if last else None)
                if v.rule == "spacing" and v.retailer == CLOSE]

    assert [m for m in spacing(dt.date(2026, 12, 1), dt.date(2026, 11, 27)) if "too close" in m]
    assert [m for m in spacing(dt.date(2026, 12, 4), dt.date(2026, 11, 24)) if "too far" in m and "11-24" in m]
    assert spacing(dt.date(2026, 12, 1), dt.date(2026, 11, 25)) == []
    assert spacing(dt.date(2026, 12, 1), None) == spacing(dt.date(2026, 12, 4), None) == []


def test_a_previous_plan_of_another_month_or_department_is_refused(policy_15_13_7: Policy) -> None:
    department, november = _department(), _november(policy_15_13_7)
    with pytest.raises(InputError, match="the month before 2027-01 is 2026-12"):
        previous_month(november, department, 2027, 1)
    with pytest.raises(InputError, match="department 'e'"):
        previous_month({**november, "department": "e"}, department, 2026, 12)
    with pytest.raises(InputError, match="not a month plan"):
        previous_month({"department": "d"}, department, 2026, 12)
    with pytest.raises(ValueError, match="2026-10"):
        check_month(november, department, policy_15_13_7, set(), previous=november)


# -- what a previous plan must be to space this month (tester B2) ------------------------------


def _moved(department: Department) -> Department:
    """Another department of the same name, managers' and retailers' ids: its shops elsewhere
    (tester B2's seeds 659 and 660, both generated as 基准部门7人)."""
    return department.model_copy(update={"retailers": tuple(r.model_copy(update={"lat": r.lat + 0.05})
                                                            for r in department.retailers)})


def _placed(november: dict, department: Department) -> dict:
    """November with each stop at its retailer's place in `department` (as `month --json`
    writes it)."""
    places = {r.id: (r.lat, r.lon) for r in department.retailers}
    return {**november, "routes": [{**route, "stops": [{**stop, "lat": places[stop["retailer"]][0],
                                                        "lon": places[stop["retailer"]][1]}
                                                       for stop in route["stops"]]}
                                   for route in november["routes"]]}


def test_a_plan_of_another_department_of_the_same_name_and_ids_is_refused(policy_15_13_7: Policy) -> None:
    """The month JSON carries the department's fingerprint (its managers, its retailers, each
    one's manager and place) and each stop its shop's place; a previous plan of another
    fingerprint whose shops are mostly elsewhere is refused by the planner's reading and by
    the checker, whatever its department's name."""
    department, november = _department(), _november(policy_15_13_7)
    mine = department_fingerprint(department)
    assert len(mine) == 64 and mine == department_fingerprint(department.model_copy())
    assert department_fingerprint(_moved(department)) != mine
    assert previous_month({**november, "department_fingerprint": mine}, department, 2026, 12).month == "2026-11"
    other = {**_placed(november, _moved(department)), "department_fingerprint": department_fingerprint(_moved(department))}
    with pytest.raises(InputError, match=r"another department.*2 of the 2 retailers"):
        previous_month(other, department, 2026, 12)
    december = MonthPlan(department="d", policy="15-13-7", month="2026-12",
                         days=(dt.date(2026, 12, 1),)).to_json_dict()
    with pytest.raises(ValueError, match="another department"):
        check_month(december, department, policy_15_13_7, set(), previous=other)
    assert not [v for v in check_month(december, department, policy_15_13_7, set(),
                                       previous={**november, "department_fingerprint": mine})
                if v.rule == "spacing"]


def test_a_department_changed_between_the_months_keeps_the_rest_of_its_plan(policy_15_13_7: Policy) -> None:
    """A shop opened since November changes the fingerprint; before, the whole November was
    refused and December planned alone. Now the shops as they were are read; one moved since
    is not (listed in `unread`, so its first visit is spaced as without November)."""
    department, november = _department(), _placed(_november(policy_15_13_7), _department())
    november["department_fingerprint"] = department_fingerprint(department)
    grown = department.model_copy(update={"retailers": (*department.retailers, _shop("new", 4))})
    read = previous_month(november, grown, 2026, 12)
    assert read.unread == {} and read.visits[CLOSE][-1] == dt.date(2026, 11, 27)
    moved = grown.model_copy(update={"retailers": tuple(r.model_copy(update={"lat": r.lat + 0.05}) if r.id == LEFT
                                                        else r for r in grown.retailers)})
    read = previous_month(november, moved, 2026, 12)
    assert read.unread == {LEFT: "at another place now"} and LEFT not in read.visits and CLOSE in read.visits
    [note] = _unread_notes(read)
    assert f"{LEFT} (at another place now)" in note and "spaced as without that plan" in note


def _with_route(november: dict, **changes: object) -> dict:
    """November with its first route changed."""
    return {**november, "routes": [{**november["routes"][0], **changes}, *november["routes"][1:]]}


def _with_stop(november: dict, **changes: object) -> dict:
    first = november["routes"][0]
    return _with_route(november, stops=[{**first["stops"][0], **changes}])


@pytest.mark.parametrize(("change", "said"), [
    (lambda n: _with_route(n, date="2026-12-15"), r"m1's route of 2026-12-15 .*outside 2026-11"),
    (lambda n: _with_route(n, date="2026-11-07"), r"m1's route of 2026-11-07 .*not one of its working days"),
    (lambda n: {**n, "policy": "seed-003"}, r"policy 'seed-003'.*'15-13-7'"),
])
def test_a_previous_plan_dated_elsewhere_or_of_another_policy_is_refused(
        policy_15_13_7: Policy, change: object, said: str) -> None:
    """Every route on one of its own month's working days, of this policy."""
    november = _november(policy_15_13_7)
    november.pop("department_fingerprint", None)
    with pytest.raises(InputError, match=said):
        previous_month(change(november), _department(), 2026, 12, policy="15-13-7")  # type: ignore[operator]


@pytest.mark.parametrize(("change", "unread"), [
    (lambda n: _with_stop(n, retailer="RXXXX"), {"RXXXX": "not in the department"}),
    (lambda n: _with_route(n, manager="m99"), {CLOSE: "m1's now, visited for m99"}),
    (lambda n: _with_stop(n, owner="m2"), {CLOSE: "m1's now, visited for m2"}),
    (lambda n: {**n, "unplanned": [{**n["unplanned"][0], "retailer": "RYYYY"}]}, {}),
])
def test_a_previous_plan_naming_what_the_department_lacks_now_is_read_without_it(
        policy_15_13_7: Policy, change: object, unread: dict[str, str]) -> None:
    """A file without places (written before them) names a retailer the department no longer
    has, a manager who left, a shop now another manager's: those retailers are not read (a
    department changes between months), the rest is; the month's notes name them. Before,
    the whole file was refused."""
    november = _november(policy_15_13_7)
    november.pop("department_fingerprint", None)
    read = previous_month(change(november), _department(), 2026, 12, policy="15-13-7")  # type: ignore[operator]
    assert read.unread == unread and LEFT in read.visits
    assert all(rid not in read.visits for rid in unread)


def test_a_visit_made_for_another_manager_is_read(policy_15_13_7: Policy) -> None:
    """A hand-over visit (made by m2 for m1, `owner` m1) is the department's as it stands."""
    department = _department()
    two = department.model_copy(update={"managers": (*department.managers, Manager(id="m2", name="N", years=2))})
    november = _with_route(_november(policy_15_13_7), manager="m2")
    november = _with_stop(november, owner="m1")
    assert previous_month(november, two, 2026, 12).visits[CLOSE]
    assert CLOSE in previous_month(_with_stop(november, owner=None), two, 2026, 12).unread


def _december(policy: Policy) -> dict:
    """December's plan: O4 last visited Mon 12-21, its visit owed on Mon 12-28 left out."""
    first = dt.date(2026, 12, 1)
    days = tuple(d for d in (first + dt.timedelta(days=n) for n in range(31)) if d.weekday() < 5)
    routes = (MonthRoute(manager="m1", date=dt.date(2026, 12, 21), visit_start=510, visit_end=840,
                         start_from="office", stops=(MonthStop(retailer=LEFT, arrive=540, start=540, end=555),)),)
    return MonthPlan(department="d", policy=policy.name, month="2026-12", days=days, routes=routes,
                     unplanned=(Unplanned(retailer=LEFT, manager="m1", wanted=5, planned=4, reason="time_window"),),
                     due=(DueInWeek(week_start=dt.date(2026, 12, 28), retailer=LEFT, manager="m1", visits=1),),
                     visits=1, wanted=2).to_json_dict()


def _january_weeks(policy: Policy) -> dict[dt.date, Timetable]:
    """January 2027's weeks from 01-04: a visit block 08:30-14:00 every weekday."""
    mondays = [dt.date(2027, 1, 4) + dt.timedelta(weeks=w) for w in range(4)]
    return {m: Timetable(department="d", policy=policy.name, week_start=m, status="feasible",
                         blocks=tuple(Block(manager="m1", date=m + dt.timedelta(days=d), kind="visit",
                                            start=parse_clock("08:30"), end=parse_clock("14:00"))
                                      for d in range(5)))
            for m in mondays}


def test_a_visit_left_out_in_a_straddling_week_this_month_has_no_day_of_is_said(policy_15_13_7: Policy) -> None:
    """December left O4's visit of the week of 12-28 out; January's only day of that week,
    Fri 01-01, is a holiday, so January cannot make it there: its notes say so (tester B2,
    R04008 and R04025) rather than drop it in silence."""
    department = _department()
    weeks = _january_weeks(policy_15_13_7)
    december = previous_month(_december(policy_15_13_7), department, 2027, 1)
    assert december.unmade == {LEFT: 1}
    plan = plan_month(department, policy_15_13_7, 2027, 1, {dt.date(2027, 1, 1)}, timetables=weeks,
                      params=FAST, previous=december)
    said = [n for n in plan.notes if LEFT in n]
    assert said and "12-28" in said[0] and "m1" in said[0] and "no working day" in said[0], plan.notes


def test_a_visit_the_previous_months_last_one_refuses_names_it_not_an_empty_list(policy_15_13_7: Policy) -> None:
    """C0, once in 4 weeks, due the week of 12-07, last visited by November on Fri 11-27:
    every day of that week lies under 18 working days after it. Its line said "0 of 1
    visits planned (on ): ... from them" (tester B2's dec_p660.json)."""
    department = _department()
    monthly = _shop("c0", 1).model_copy(update={"visits_per_4_weeks": 1, "retailer_class": "C"})
    department = department.model_copy(update={"retailers": (*department.retailers, monthly)})
    november = _november(policy_15_13_7)
    november["routes"] = [{**r, "stops": [*r["stops"], {**r["stops"][0], "retailer": "c0", "arrive": "10:00",
                                                         "start": "10:00", "end": "10:15"}]}
                          if r["date"] == "2026-11-27" else r for r in november["routes"]]
    plan = plan_month(department, policy_15_13_7, 2026, 12, set(), timetables=_weeks(policy_15_13_7), params=FAST,
                      previous=previous_month(november, department, 2026, 12))
    line = next(u for u in plan.unplanned if u.retailer == "c0")
    assert line.planned == 0 and line.reason == "spacing", line
    assert "(on )" not in line.detail and "from them" not in line.detail, line.detail
    assert "previous month" in line.detail and "12-07" in line.detail, line.detail


def _november_split(policy: Policy, due: tuple[DueInWeek, ...]) -> dict:
    """November's plan with nothing left out and its due of the week of 11-30 as `due` says."""
    november = _november(policy)
    november["unplanned"] = []
    november["due"] = [item.model_dump(mode="json") for item in due]
    return november


def _week_of_11_30(plan: MonthPlan, rid: str) -> list[dt.date]:
    return [d for d in _visits(plan, rid) if d < MONDAYS[1]]


@pytest.mark.parametrize("named", [True, False], ids=["left_to_december", "not_named"])
def test_the_straddling_week_is_split_as_the_previous_plan_split_it(policy_15_13_7: Policy, named: bool) -> None:
    """O4 counts its visit of the week of 11-30 on Mon 11-30 by December's calendar (November
    owes it). November's plan, planned on another calendar (tester B3's d675c: the holiday
    12-01 added after November was planned), left that visit to December (`other_month`),
    or never named O4 (a shop new since, d674n's R09001): each month said the other owed it
    and O4 went 37-41 working days without a visit. With November's plan December owes it
    on its day of that week (Tue 12-01), and the checker given November counts it owed."""
    policy, department, weeks = policy_15_13_7, _department(), _weeks(policy_15_13_7)
    due = (DueInWeek(week_start=MONDAYS[0], retailer=CLOSE, manager="m1", visits=0, other_month=1),)
    if named:
        due += (DueInWeek(week_start=MONDAYS[0], retailer=LEFT, manager="m1", visits=0, other_month=1),)
    november = _november_split(policy, due)
    previous = previous_month(november, department, 2026, 12)
    assert previous.unmade == {}
    alone = plan_month(department, policy, 2026, 12, set(), timetables=weeks, params=FAST)
    assert _week_of_11_30(alone, LEFT) == []
    found = check_month(alone, department, policy, set(), weeks, previous=november)
    assert any(v.rule == "count" and v.retailer == LEFT for v in found), found

    after = plan_month(department, policy, 2026, 12, set(), timetables=weeks, params=FAST, previous=previous)
    week = next(d for d in after.due if d.retailer == LEFT and d.week_start == MONDAYS[0])
    assert (week.visits, week.other_month) == (1, 0), week
    assert _week_of_11_30(after, LEFT) == [dt.date(2026, 12, 1)]
    assert check_month(after, department, policy, set(), weeks, previous=november) == []


def test_a_visit_the_previous_plan_owed_itself_is_not_owed_again(policy_15_13_7: Policy) -> None:
    """X1 counts its visit of the week of 11-30 on 12-02 by December's calendar, but
    November's plan, on its own calendar, owed that visit itself (its due: `visits` 1):
    December does not owe it twice."""
    policy, department = policy_15_13_7, _department()
    due = (DueInWeek(week_start=MONDAYS[0], retailer=CLOSE, manager="m1", visits=1, other_month=0),
           DueInWeek(week_start=MONDAYS[0], retailer=LEFT, manager="m1", visits=1, other_month=0))
    previous = previous_month(_november_split(policy, due), department, 2026, 12)
    plan = plan_month(department, policy, 2026, 12, set(), timetables=_weeks(policy), params=FAST,
                      previous=previous)
    week = next(d for d in plan.due if d.retailer == CLOSE and d.week_start == MONDAYS[0])
    assert (week.visits, week.other_month) == (0, 1), week


def test_a_visit_left_to_a_month_without_a_day_of_that_week_is_said(policy_15_13_7: Policy) -> None:
    """December's plan left O4's visit of the week of 12-28 to January (`other_month`); January's
    only day of it, Fri 01-01, is a holiday: its notes say the visit is owed by neither."""
    department = _department()
    weeks = _january_weeks(policy_15_13_7)
    december = _december(policy_15_13_7)
    december["unplanned"] = []
    december["due"] = [DueInWeek(week_start=dt.date(2026, 12, 28), retailer=LEFT, manager="m1", visits=0,
                                 other_month=1).model_dump(mode="json")]
    plan = plan_month(department, policy_15_13_7, 2027, 1, {dt.date(2027, 1, 1)}, timetables=weeks,
                      params=FAST, previous=previous_month(december, department, 2027, 1))
    said = [n for n in plan.notes if LEFT in n]
    assert said and "12-28" in said[0] and "left to this month" in said[0] and "no working day" in said[0], plan.notes
