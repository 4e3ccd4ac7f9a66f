"""Mid-week re-planning (engine.replan): what started before `now` stays identical, no
due visit is lost, the re-plan is never worse than the repaired old plan, partners of a
sick manager are re-paired; and warm starts of the week's timetable."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from engine.check.replan import Sickness, check_replan
from engine.domain import Block, Department, Timetable
from engine.errors import InputError
from engine.load import write_department
from engine.policy import Policy, parse_clock
from engine.quality import timetable_objective
from engine.replan import ReplanResult, read_events, replan
from engine.routing.plan import plan_routes
from engine.timetable.solve import SolveParams, solve_timetable
from tests.strategies import WEEK, simple_department

FAST = SolveParams(time_limit_s=3, workers=2)


@pytest.fixture(scope="module")
def week(policy_15_13_7: Policy) -> tuple[Department, Timetable, dict]:
    """Four managers in two pairs: the week's timetable and its routes."""
    department = simple_department(4)
    solved = solve_timetable(department, policy_15_13_7, WEEK, SolveParams(time_limit_s=5, workers=2))
    assert solved.status in ("optimal", "feasible")
    routes = plan_routes(department, policy_15_13_7, solved.timetable, WEEK, time_limit_s=2).to_json_dict()
    return department, solved.timetable, routes


def started_before(date: dt.date, start: int, now: dt.datetime) -> bool:
    return (date, start) < (now.date(), now.hour * 60 + now.minute)


def visit_stops(routes: dict) -> list[tuple[str, dt.date, str, int, int]]:
    """(manager, date, retailer, start, end) of every visit stop of a route plan."""
    return [(r["manager"], dt.date.fromisoformat(str(r["date"])), s["retailer"], parse_clock(s["start"]),
             parse_clock(s["end"]))
            for r in routes["routes"] for s in r["stops"] if s.get("kind", "visit") == "visit"]


def new_stops(result: ReplanResult) -> list[tuple[str, dt.date, str, int, int, bool]]:
    assert result.routes is not None
    return [(r.manager, r.date, s.retailer, s.start, s.end, s.pinned) for r in result.routes for s in r.stops
            if s.kind == "visit"]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.integers(0, 4), hour=st.integers(8, 17), sick=st.sampled_from([None, "m01", "m02", "m03", "m04"]),
       close=st.booleans(), urgent=st.sampled_from([None, "m02-r05", "m04-r01"]))
def test_replan_pins_the_past_and_loses_no_visit(week, policy_15_13_7: Policy, day: int, hour: int,
                                                 sick: str | None, close: bool, urgent: str | None) -> None:
    """For any moment and mix of events: every block and stop that started before `now` is
    identical afterwards (but a sick manager's block and stop under way end when he falls
    ill, at `now`: the part he worked stays, in the timetable and in the routes alike);
    every visit after `now` is still planned or listed as unplaced (plus any urgent one);
    the re-plan is never worse than its repaired start."""
    department, timetable, routes = week
    now = dt.datetime.combine(WEEK + dt.timedelta(days=day), dt.time(hour, 0))
    stops = visit_stops(routes)
    later = [s for s in stops if not started_before(s[1], s[3], now)]
    events: list[dict] = []
    if sick:
        events.append({"type": "manager_sick", "manager": sick, "from": now.isoformat()})
    if close and later:
        events.append({"type": "retailer_closed", "retailer": later[0][2], "date": str(later[0][1])})
    if urgent:
        events.append({"type": "urgent_visit", "retailer": urgent})
    result = replan(department, policy_15_13_7, timetable, now, read_events(events), routes, FAST)
    assert result.status in ("optimal", "feasible")

    # A sick manager does nothing from `now` (on the hour, so on the grid): his block under
    # way then ends at `now`, the part he worked stays; a lunch under way stays as it was.
    minute = now.hour * 60
    under_way = [b for b in timetable.blocks if started_before(b.date, b.start, now) and b.manager == sick
                 and (b.date, b.end) > (now.date(), minute) and b.kind != "lunch"]
    pieces = [b.model_copy(update={"end": minute}) for b in under_way]
    # His partner's pair session under way goes on alone: written with him until `now`, and
    # alone from `now` (that part starts at `now`, so it is not the past).
    paired = {k for k, r in policy_15_13_7.kinds.items() if r.group == "pair"}
    shared = {(b.date, b.kind, b.start) for b in under_way if b.kind in paired}

    def kept(b: Block) -> Block:
        together = sick in b.with_ and (b.date, b.kind, b.start) in shared and b.end > minute
        return b.model_copy(update={"end": minute}) if together else b

    before = [kept(b) for b in timetable.blocks if started_before(b.date, b.start, now) and b not in under_way] \
        + pieces
    after = Counter(result.timetable.blocks)
    assert all(after[b] >= 1 for b in before), "a block that started before now changed"
    assert not [b for b in under_way if after[b]], "a sick manager finishes a block after he is off"
    assert not [b for b in result.timetable.blocks
                if started_before(b.date, b.start, now) and b not in set(before)], "a block was added in the past"
    cut = [c for d in result.diff for c in d.blocks if c.change == "cut"]
    assert sorted(((c.before, c.after) for c in cut), key=repr) == sorted(zip(under_way, pieces, strict=True),
                                                                          key=repr)

    planned = new_stops(result)
    pinned = {(m, d, r, s, e) for m, d, r, s, e, p in planned if p}
    # A stop under way when its manager falls ill is broken off before its service is
    # done: not made, so handed on like his later visits (it stayed, cut short, before).
    broken = [(m, d, r, s, e) for m, d, r, s, e in stops
              if m == sick and d == now.date() and s < minute < e]
    assert pinned == {stop for stop in stops if started_before(stop[1], stop[3], now) and stop not in broken}
    assert all(not started_before(d, s, now) for _, d, _, s, _, p in planned if not p)
    placed = Counter(r for _, _, r, _, _, p in planned if not p)
    lost = Counter(u.retailer for u in result.unplaced if u.reason != "not_planned")
    expected = (Counter(s[2] for s in later) + Counter(stop[2] for stop in broken)
                + Counter([urgent] if urgent else []))
    assert placed + lost == expected

    if result.start_objective is not None:
        assert result.objective is not None and result.objective <= result.start_objective + 1e-6


def test_nothing_happened_nothing_changes(week, policy_15_13_7: Policy) -> None:
    """Without events the re-plan keeps every block and stop: an empty diff."""
    department, timetable, routes = week
    now = dt.datetime.combine(WEEK + dt.timedelta(days=2), dt.time(12, 0))
    result = replan(department, policy_15_13_7, timetable, now, (), routes, FAST)
    assert result.diff == ()
    assert sorted(result.timetable.blocks, key=repr) == sorted(timetable.blocks, key=repr)
    assert not [u for u in result.unplaced if u.reason != "not_planned"]


def test_partner_of_a_sick_manager_is_re_paired(week, policy_15_13_7: Policy) -> None:
    """m01 falls ill on Monday at 12:00 for the rest of the week: he has no block after
    that, and his partner's remaining pair sessions are done in a trio or reported cancelled."""
    department, timetable, routes = week
    partner = next(b.with_[0] for b in timetable.blocks if b.manager == "m01" and b.kind == "maintenance")
    now = dt.datetime.combine(WEEK, dt.time(12, 0))
    events = read_events([{"type": "manager_sick", "manager": "m01", "from": now.isoformat()}])
    result = replan(department, policy_15_13_7, timetable, now, events, routes, FAST)
    late = [b for b in result.timetable.blocks if b.manager == "m01" and b.date > WEEK]
    assert late == []
    remaining = [b for b in result.timetable.blocks if b.manager == partner and b.kind in ("maintenance", "promotion")
                 and not started_before(b.date, b.start, now)]
    assert all(len(b.with_) == 2 and "m01" not in b.with_ for b in remaining)
    old_remaining = [b for b in timetable.blocks if b.manager == partner and b.kind in ("maintenance", "promotion")
                     and not started_before(b.date, b.start, now)]
    changes = next(d for d in result.diff if d.manager == partner).blocks
    cancelled = [c for c in changes if c.change == "cancelled" and c.kind in ("maintenance", "promotion")]
    assert len(remaining) + len(cancelled) >= len(old_remaining)
    assert all("m01" in c.reason or "re-paired" in c.reason or "joins" in c.reason for c in changes
               if c.kind in ("maintenance", "promotion"))


def test_closed_retailer_is_not_visited_that_day(week, policy_15_13_7: Policy) -> None:
    """A retailer closed on its planned day is visited on a later day or listed as unplaced
    with the reason `retailer_closed`."""
    department, timetable, routes = week
    now = dt.datetime.combine(WEEK, dt.time(7, 0))
    _, date, retailer, _, _ = next(s for s in visit_stops(routes) if s[1] < WEEK + dt.timedelta(days=4))
    events = read_events([{"type": "retailer_closed", "retailer": retailer, "date": str(date)}])
    result = replan(department, policy_15_13_7, timetable, now, events, routes, FAST)
    visits = [(d, r) for m, d, r, *_ in new_stops(result) if r == retailer]
    assert (date, retailer) not in visits
    unplaced = [u for u in result.unplaced if u.retailer == retailer]
    assert [d for d, _ in visits if d > date] or [u.reason for u in unplaced] == ["retailer_closed"]


def test_the_part_of_the_visits_worked_before_he_falls_ill_stays(week, policy_15_13_7: Policy) -> None:
    """m01 falls ill an hour into Wednesday's visit block, for two days: the block ends
    then, in the timetable (the hour he worked stays), in the routes (the stops he made
    stay, one under way ends then, the rest are handed on) and in the diff (`cut`), and
    the independent re-plan checker finds no fault."""
    department, timetable, routes = week
    wednesday = WEEK + dt.timedelta(days=2)
    visit = next(b for b in timetable.blocks if b.manager == "m01" and b.kind == "visit" and b.date == wednesday)
    ill = visit.start + 60
    now = dt.datetime.combine(wednesday, dt.time(*divmod(ill, 60)))
    events = read_events([{"type": "manager_sick", "manager": "m01", "from": now.isoformat(),
                           "until": str(wednesday + dt.timedelta(days=1))}])
    result = replan(department, policy_15_13_7, timetable, now, events, routes, FAST)
    assert result.status in ("optimal", "feasible")
    piece = visit.model_copy(update={"end": ill})
    assert piece in result.timetable.blocks and visit not in result.timetable.blocks
    (cut,) = [c for d in result.diff for c in d.blocks if c.change == "cut"]
    assert (cut.before, cut.after) == (visit, piece) and "off sick from" in cut.reason
    made = [(r, s, e) for m, d, r, s, e, p in new_stops(result) if m == "m01" and d == wednesday]
    planned = [(r, s, e) for m, d, r, s, e in visit_stops(routes) if m == "m01" and d == wednesday]
    assert made == [(r, s, min(e, ill)) for r, s, e in planned if s < ill]
    later = {r for r, s, _ in planned if s >= ill}
    assert later == {c.retailer for d in result.diff for c in d.stops
                     if c.date_before == wednesday and c.manager_before == "m01"} | {
        u.retailer for u in result.unplaced if u.date == wednesday and u.manager == "m01"}
    verdict = check_replan(department, policy_15_13_7, timetable, result.timetable, now,
                           [Sickness("m01", now, wednesday + dt.timedelta(days=1))])
    assert verdict.violations == []


def test_urgent_visit_is_planned_by_its_day(week, policy_15_13_7: Policy) -> None:
    """An urgent visit asked for on Monday morning, due by Tuesday, is on a route by Tuesday."""
    department, timetable, routes = week
    now = dt.datetime.combine(WEEK, dt.time(7, 0))
    by = WEEK + dt.timedelta(days=1)
    events = read_events([{"type": "urgent_visit", "retailer": "m03-r07", "by": str(by)}])
    result = replan(department, policy_15_13_7, timetable, now, events, routes, FAST)
    days = [d for m, d, r, *_ in new_stops(result) if r == "m03-r07" and m == "m03"]
    assert days and min(days) <= by
    added = [c for d in result.diff for c in d.stops if c.change == "added"]
    assert [c.retailer for c in added] == ["m03-r07"]


def test_cancelled_promotion_store_is_not_used_again(week, policy_15_13_7: Policy) -> None:
    """Cancel the store of the week's promotion sessions on Monday morning: no session from
    then on is held there, and each changed session says why."""
    department, timetable, routes = week
    now = dt.datetime.combine(WEEK, dt.time(7, 0))
    store = next(b.retailer for b in timetable.blocks if b.kind == "promotion" and b.retailer)
    events = read_events([{"type": "promotion_store_cancelled", "retailer": store, "date": str(WEEK)}])
    result = replan(department, policy_15_13_7, timetable, now, events, routes, FAST)
    assert not [b for b in result.timetable.blocks if b.kind == "promotion" and b.retailer == store]
    changed = [c for d in result.diff for c in d.blocks if c.kind == "promotion" and c.before is not None
               and c.before.retailer == store]
    assert changed and all(f"{store} is cancelled" in c.reason for c in changed)


def test_events_naming_unknown_people_are_refused(week, policy_15_13_7: Policy) -> None:
    """An event about a manager or retailer the department does not have names the field."""
    department, timetable, routes = week
    events = read_events([{"type": "manager_sick", "manager": "m99", "from": "2026-11-24T09:00"},
                          {"type": "retailer_closed", "retailer": "nowhere"}])
    with pytest.raises(InputError) as caught:
        replan(department, policy_15_13_7, timetable, dt.datetime(2026, 11, 24, 9), events, routes, FAST)
    # Rows count from 1, as the rows of the CSV files do.
    assert {(p.row, p.column) for p in caught.value.problems} == {(1, "manager"), (2, "retailer")}


def test_bad_event_json_is_named() -> None:
    """An event of an unknown type or without its manager is refused with the field named."""
    with pytest.raises(InputError) as caught:
        read_events([{"type": "manager_sick", "from": "2026-11-24T09:00"}, {"type": "flood"}])
    columns = {p.column for p in caught.value.problems}
    assert any(c and "manager" in c for c in columns)
    assert len(caught.value.problems) >= 2


def test_warm_started_week_is_never_worse_than_its_start(week, policy_15_13_7: Policy) -> None:
    """Next week's timetable warm-started from this week's (dates moved by a week) is at
    least as good, on the policy's objective recomputed independently, as that start."""
    department, timetable, _ = week
    next_week = WEEK + dt.timedelta(weeks=1)
    start = timetable.model_copy(update={
        "week_start": next_week,
        "blocks": tuple(b.model_copy(update={"date": b.date + dt.timedelta(weeks=1)}) for b in timetable.blocks),
    })
    warm = solve_timetable(department, policy_15_13_7, next_week, SolveParams(time_limit_s=2, workers=2),
                           warm_start=start)
    assert warm.status in ("optimal", "feasible")
    assert timetable_objective(warm.timetable, department, policy_15_13_7) <= timetable_objective(
        start, department, policy_15_13_7)


def test_cli_replan_writes_the_json(tmp_path: Path, week) -> None:
    """`fieldweek replan` reads the plan and events, renders the diff and writes the JSON."""
    from api.cli import app

    department, timetable, routes = week
    folder = tmp_path / "dept"
    write_department(department, folder)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"timetable": timetable.to_json_dict(), "routes": routes}), encoding="utf-8")
    events = tmp_path / "events.json"
    events.write_text(json.dumps({"events": [{"type": "manager_sick", "manager": "m02",
                                              "from": "2026-11-25T13:00"}]}), encoding="utf-8")
    out = tmp_path / "replan.json"
    result = CliRunner().invoke(app, ["replan", str(folder), "--plan", str(plan), "--now", "2026-11-25T13:00",
                                      "--event", str(events), "--time-limit", "3", "--workers", "2",
                                      "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text("utf-8"))
    assert data["status"] in ("optimal", "feasible") and any(d["manager"] == "m02" for d in data["diff"])


def test_api_replan_and_actuals(tmp_path: Path) -> None:
    """On the app, POST /v1/timetables/{job}/replan answers the re-plan of a solved job and
    POST /v1/actuals stores the rows per manager-day and answers the feedback sheet of all
    that is stored for the week (kept across a restart); bad rows answer 422 naming row
    and column."""
    from fastapi.testclient import TestClient

    from api.http.app import create_app
    from api.http.settings import Settings
    from tests.api.http.support import department_body, wait_for_job, wait_for_result

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.db'}", default_time_limit_s=3,
                        max_time_limit_s=10, solver_threads=2)
    app = create_app(settings)
    with TestClient(app) as client:
        department = client.post("/v1/departments", json=department_body()).json()["id"]
        job = client.post(f"/v1/departments/{department}/timetables",
                          json={"week_start": WEEK.isoformat(), "time_limit": 3}).json()["id"]
        assert wait_for_job(client, job, timeout_s=90)["status"] in ("optimal", "feasible")
        answer = client.post(f"/v1/timetables/{job}/replan", json={
            "now": "2026-11-24T12:00", "time_limit": 3,
            "events": [{"type": "manager_sick", "manager": "m01", "from": "2026-11-24T12:00"}]})
        replanned = wait_for_result(client, answer, timeout_s=90)  # a job: 202, then its result
        assert replanned["result"]["status"] in ("optimal", "feasible")
        assert client.post("/v1/timetables/nope/replan", json={"now": "2026-11-24T12:00"}).status_code == 404
        rows = [{"manager": "m01", "date": "2026-11-23", "record": "block", "kind": "visit",
                 "start": "08:00", "end": "10:00"}]
        sheet = client.post("/v1/actuals", json={"timetable": job, "rows": rows})
        assert sheet.status_code == 200, sheet.text
        assert sheet.json()["blocks"] == 1 and sheet.json()["feedback"]["week_start"] == "2026-11-23"
        bad = client.post("/v1/actuals", json={"timetable": job, "rows": [{**rows[0], "manager": "m99"}]})
        assert bad.status_code == 422
        assert [(p["row"], p["column"]) for p in bad.json()["detail"]] == [(1, "manager")]
        tuesday = [{**rows[0], "date": "2026-11-24"}]
        assert client.post("/v1/actuals", json={"timetable": job, "rows": tuesday}).json()["stored_days"] == 2
        again = client.post("/v1/actuals", json={"timetable": job, "rows": [{**rows[0], "end": "11:00"}]})
        assert again.json()["stored_days"] == 2  # Monday reported anew replaces Monday
        visit_hours = [h for h in again.json()["feedback"]["hours"]
                       if h["manager"] == "m01" and h["kind"] == "visit"]
        assert visit_hours[0]["actual_min"] == 180 + 120  # Mon 08:00-11:00 (new) + Tue 08:00-10:00
    with TestClient(create_app(settings)) as client:
        kept = client.post("/v1/actuals", json={"timetable": job, "rows": []})
        assert kept.status_code == 200 and kept.json()["stored_days"] == 2
        # Next week's routes owe what was due this week and not reported done.
        next_job = client.post(f"/v1/departments/{department}/timetables",
                               json={"week_start": "2026-11-30", "time_limit": 3}).json()["id"]
        assert wait_for_job(client, next_job, timeout_s=90)["status"] in ("optimal", "feasible")
        routes = client.post(f"/v1/departments/{department}/routes",
                             json={"week_start": "2026-11-30", "time_limit": 3})
        routed = wait_for_result(client, routes, timeout_s=90)
        assert routed["result"]["carried_over"]  # nothing was reported done last week
