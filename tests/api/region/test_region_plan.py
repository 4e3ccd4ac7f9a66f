"""`fieldweek region plan` on a tiny generated region (SPEC §1): the departments' files
and region.json on a local cluster of two worker processes, a broken and an infeasible
department reported with the single-department words while the others are planned, a
worker killed mid-run, and the per-manager route tasks equal to the department's run.

One cluster and one region serve every test: a tiny region solves in seconds."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from distributed import Client, LocalCluster
from typer.testing import CliRunner

from api.cli import app
from api.commands.console import EXIT_INPUT_ERROR
from api.region.folder import load_region_department, read_region
from api.region.generated import write_region
from api.region.tasks import join_routes, manager_route_seconds
from api.region.week import WeekRequest, run_week
from benchmarks.departments import generate_department
from engine.check.routes import check_routes
from engine.check.timetable import judge_timetable
from engine.domain import Timetable
from engine.errors import InputError
from engine.load import load_department_with_policy, write_department
from engine.routing.plan import RoutePlan, plan_routes
from engine.timetable.solve import SolveParams, solve_timetable

WEEK = dt.date(2026, 11, 23)
FAST = ["--time-limit", "5", "--route-time-limit", "2", "--cp-workers", "2"]
REQUEST = WeekRequest(WEEK, time_limit_s=5.0, route_time_limit_s=2.0, cp_workers=2)


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as local:
        yield local


@pytest.fixture(scope="module")
def region(tmp_path_factory) -> Path:
    """Two good departments of six managers, one with a retailer of an unknown manager,
    and one of a single manager, who has no partner for the paired sessions."""
    root = tmp_path_factory.mktemp("region")
    write_region(root, departments=2, seed=2, min_managers=6, max_managers=6, retailers_per_manager=18,
                 name="测试片区")
    broken = root / "dept03"
    write_department(generate_department(6, seed=3, retailers_per_manager=18), broken)
    rows = (broken / "retailers.csv").read_text("utf-8-sig").splitlines()
    rows[5] = rows[5].replace(",m01,", ",m99,")
    (broken / "retailers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    write_department(generate_department(1, seed=4, retailers_per_manager=18), root / "dept04")
    return root


@pytest.fixture(scope="module")
def planned(region, cluster, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(app, ["region", "plan", str(region), "--week", str(WEEK), *FAST,
                                      "--scheduler", cluster.scheduler_address, "--out", str(out)])
    return result, out, json.loads((out / "region.json").read_text("utf-8"))


def test_region_plan_writes_the_contracts_and_region_json(region, planned):
    _, out, document = planned
    assert document["region"] == "测试片区"
    assert document["week_start"] == str(WEEK)
    assert document["workers"] == 2
    assert [d["folder"] for d in document["departments"]] == ["dept01", "dept02", "dept03", "dept04"]
    good = [d for d in document["departments"] if d["folder"] in ("dept01", "dept02")]
    for entry in good:
        assert entry["status"] == "planned", entry
        assert set(entry) >= {"department", "folder", "status", "objective", "best_bound", "due_visits",
                              "planned_visits", "unvisited", "km", "seconds", "error"}
        loaded = load_region_department(read_region(region), region / entry["folder"])
        department, policy = loaded.department, loaded.policy
        assert department is not None and policy is not None
        timetable = Timetable.model_validate_json((out / entry["folder"] / "timetable.json").read_text("utf-8"))
        routes = RoutePlan.model_validate_json((out / entry["folder"] / "routes.json").read_text("utf-8"))
        # The independent checkers, run here on the written files, find no fault.
        assert judge_timetable(department, policy, timetable).executable
        assert not check_routes(routes, department, policy, timetable).violations
        assert {r.manager for r in routes.routes} == {m.id for m in department.managers}
        assert entry["due_visits"] == routes.due_visits > 0
        assert entry["planned_visits"] == sum(r.visits for r in routes.routes)
        assert entry["unvisited"] == len(routes.unvisited)
        assert entry["km"] == pytest.approx(sum(r.distance_km for r in routes.routes), abs=1e-3)
        assert entry["objective"] == timetable.objective and entry["error"] == ""
    totals = document["totals"]
    assert totals["departments"] == 4 and totals["planned"] == 2 and totals["failed"] == 2
    for key in ("due_visits", "planned_visits", "unvisited", "km"):
        assert totals[key] == pytest.approx(sum(d[key] for d in document["departments"]), abs=1e-3)
    assert document["wall_seconds"] >= document["critical_path_seconds"] > 0
    assert (out / "region.xlsx").stat().st_size > 0
    assert not (out / "dept03").exists()


def test_broken_and_infeasible_departments_are_reported_in_the_commands_words(region, planned):
    result, out, document = planned
    assert result.exit_code == EXIT_INPUT_ERROR, result.output
    by_folder = {d["folder"]: d for d in document["departments"]}
    broken = by_folder["dept03"]
    assert broken["status"] == "error"
    with pytest.raises(InputError) as raised:  # what `fieldweek plan dept03` reports
        load_department_with_policy(region / "dept03")
    assert broken["error"] == "\n".join(str(p) for p in raised.value.problems)
    assert "m99" in broken["error"] and "retailers.csv" in broken["error"]
    lonely = by_folder["dept04"]
    department, policy = load_department_with_policy(region / "dept04")
    alone = solve_timetable(department, policy, WEEK, SolveParams(time_limit_s=2, workers=2))
    assert lonely["status"] == alone.status == "infeasible"
    assert lonely["error"] == "\n".join(c.message for c in alone.timetable.conflicts) != ""
    assert (out / "dept04" / "timetable.json").is_file() and not (out / "dept04" / "routes.json").exists()


@pytest.mark.bench  # a second region run on a cluster (9 s): opt-in, pytest -m bench
def test_a_worker_killed_mid_run_costs_only_its_tasks(region, planned, cluster):
    _, _, undisturbed = planned
    reg = read_region(region)
    good = [load_region_department(reg, reg.root / name) for name in ("dept01", "dept02")]
    with Client(cluster) as client:
        outcome: list = []
        runner = threading.Thread(target=lambda: outcome.append(run_week(client, good, REQUEST)))
        runner.start()
        victim = _busy_worker(client)
        pid = client.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)
        runner.join(timeout=60)
        assert not runner.is_alive()
        assert victim not in client.scheduler_info(n_workers=-1)["workers"]
    works = outcome[0]
    before = {d["folder"]: d for d in undisturbed["departments"]}
    for work in works:
        assert work.status == "planned", work.error
        assert work.result is not None and work.result.routes is not None
        assert not work.result.timetable_faults and not work.result.route_faults
        assert work.result.routes.due_visits == before[work.loaded.folder.name]["due_visits"]


def _busy_worker(client: Client) -> str:
    """A worker running a task of the region now."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for worker, keys in client.processing().items():
            if any(str(key).startswith(("timetable", "routes")) for key in keys):
                return worker
        time.sleep(0.02)
    raise AssertionError("no worker ever ran a task of the region")


def test_per_manager_route_tasks_equal_the_department_run(region, planned):
    _, out, _ = planned
    department, policy = load_department_with_policy(region / "dept01")
    timetable = Timetable.model_validate_json((out / "dept01" / "timetable.json").read_text("utf-8"))
    whole = plan_routes(department, policy, timetable, WEEK, time_limit_s=1.5)
    share = manager_route_seconds(1.5, len(department.managers))
    parts = [plan_routes(department, policy, timetable, WEEK, manager=m.id, time_limit_s=share)
             for m in department.managers]
    joined = join_routes(department, parts)
    assert joined.routes == whole.routes
    assert joined.unvisited == whole.unvisited and joined.shortfalls == whole.shortfalls
    assert joined.due_visits == whole.due_visits > 0
    assert joined.model_dump(exclude={"solve_seconds"}) == whole.model_dump(exclude={"solve_seconds"})
