"""Every revision of a department-week (a solve or a re-plan) is sent with a SEQUENCE above
every earlier revision's in the order they were made, whatever a re-plan's `now`, and
cancels the latest earlier revision's events it no longer has. A re-plan's SEQUENCE was
counted from its `now`: re-planned again for an earlier `now` (a store closed on Tuesday,
told after Thursday's sick manager), the newer re-plan came below the older one and a
phone kept the older one's events. No solver runs: the weeks are typed into the store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.exports.ics import replan_sequence, revision_sequence
from engine.replan.result import ReplanResult
from tests.api.http.support import WEEK, hand_timetable, idle_service, store_department_and_week
from tests.api.http.test_replan_calendar import events, replan_job, replan_result
from tests.api.http.test_resolved_week_calendar import solve_again

THURSDAY_NOON = dt.datetime.combine(WEEK + dt.timedelta(days=3), dt.time(12, 0))
MONDAY_NINE = dt.datetime.combine(WEEK, dt.time(9, 0))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from idle_service(tmp_path_factory, "replan_revision_order")


def calendar(client: TestClient, job_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/timetables/{job_id}.ics", params={"manager": "m01"})
    assert response.status_code == 200, response.text
    return events(response.content)


def sequences(calendar: dict[str, Any]) -> set[int]:
    return {int(event["sequence"]) for event in calendar.values()}


def test_a_replan_made_later_for_an_earlier_now_is_above_the_one_before_it(client: TestClient) -> None:
    store = client.app.state.service.store  # type: ignore[attr-defined]
    department, department_id, plan_id = store_department_and_week(store)
    plan = hand_timetable(department)
    # the first re-plan (Thursday noon) gives m01 a Wednesday phone hour the plan has not
    wednesday_phone = next(b for b in plan.blocks if b.kind == "phone").model_copy(
        update={"date": WEEK + dt.timedelta(days=2)})
    thursday = ReplanResult(week_start=WEEK, now=THURSDAY_NOON, status="optimal",
                            timetable=plan.model_copy(update={"blocks": (*plan.blocks, wednesday_phone)}))
    older_id = replan_job(store, plan_id, "done", result={**thursday.to_json_dict(), "check": None})
    older = calendar(client, older_id)
    # the second, made after it, for Monday 09:00: it has no Wednesday phone hour
    monday = {**replan_result(department), "now": MONDAY_NINE.isoformat()}
    newer = calendar(client, replan_job(store, plan_id, "done", result=monday))

    assert sequences(older) == {replan_sequence(THURSDAY_NOON)}  # as it was sent before
    assert min(sequences(newer)) > max(sequences(older))
    [added] = set(older) - set(calendar(client, plan_id))
    assert newer[added]["status"] == "CANCELLED"  # the older re-plan's phone hour is gone
    # a later revision does not lift the older one, and a week solved after both is above both
    assert sequences(calendar(client, older_id)) == sequences(older)
    again = calendar(client, solve_again(store, department_id, department))
    assert min(sequences(again)) > max(sequences(newer))


def test_revision_sequence_counts_in_the_order_made_never_below_a_replans_sent_number() -> None:
    assert revision_sequence([]) == 0
    assert revision_sequence([None]) == 1
    assert revision_sequence([None], MONDAY_NINE) == replan_sequence(MONDAY_NINE)
    assert revision_sequence([None, THURSDAY_NOON], MONDAY_NINE) == replan_sequence(THURSDAY_NOON) + 1
    assert revision_sequence([None, THURSDAY_NOON, MONDAY_NINE]) == replan_sequence(THURSDAY_NOON) + 2
