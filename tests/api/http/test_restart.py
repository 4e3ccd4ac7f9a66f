"""`fieldweek serve` as a real process: kill -9 it (and its workers) while a week is being
solved, start it again on the same SQLite file, and nothing is lost or stuck; kill it at
random moments and every job is finished, queued again or failed with its reason; its
workers die with it (kill -9 or SIGTERM); a second server on the same database refuses
to start."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest

import api.cli
from api.http.storage import RESTART_REASON, STOPPED_REASON, UNFINISHED_STATES, Store
from tests.api.http.support import WEEK, department_body, wait_for_job

STARTUP_TIMEOUT_S = 60.0

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")


def free_loopback_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_command(port: int, database: str) -> list[str]:
    """`fieldweek serve` once api/cli.py lists the command; until then the same command
    through a Typer app of its own."""
    options = ["serve", "--host", "127.0.0.1", "--port", str(port), "--db", database]
    if "serve" in api.cli.COMMAND_MODULES:
        return [sys.executable, "-m", "api.cli", *options]
    script = (
        "import typer\nfrom api.commands.serve import register\n"
        "app = typer.Typer()\n@app.callback()\ndef main() -> None: pass\n"
        "register(app, typer.Typer())\napp()\n"
    )
    return [sys.executable, "-c", script, *options]


@contextmanager
def running_server(database: str, log: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """Start the server in its own process group; yield (process, base URL) once /healthz answers.
    Whatever happens, the whole group is killed at the end."""
    port = free_loopback_port()
    environment = {k: v for k, v in os.environ.items() if k != "FIELDWEEK_API_KEYS"}
    environment["FIELDWEEK_MAX_TIME_LIMIT_S"] = "120"
    # A restart after kill -9 waits for the dead server's lease to expire: keep that short.
    environment["FIELDWEEK_LEASE_HEARTBEAT_S"] = "0.3"
    environment["FIELDWEEK_LEASE_TTL_S"] = "1"
    with open(log, "ab") as output:
        process = subprocess.Popen(
            serve_command(port, database),
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise AssertionError(
                    f"the server exited with {process.returncode}:\n{log.read_text()[-3000:]}"
                )
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the server did not answer within {STARTUP_TIMEOUT_S} s")
            time.sleep(0.2)
        yield process, base
    finally:
        kill_group(process)


def kill_group(process: subprocess.Popen) -> None:
    """kill -9 the server and every worker process it started (they share its process group)."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_kill_and_restart_keeps_data_and_fails_the_running_job(tmp_path: Path) -> None:
    """After kill -9 mid-solve and a restart: the department and the finished plan are there
    unchanged, and the job that was running is `failed` ("service restarted"), not stuck."""
    database = f"sqlite:///{tmp_path / 'fieldweek.db'}"
    log = tmp_path / "server.log"
    with (
        running_server(database, log) as (process, base),
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        small = client.post("/v1/departments", json=department_body()).json()["id"]
        department_before = client.get(f"/v1/departments/{small}").json()
        finished = client.post(
            f"/v1/departments/{small}/timetables",
            json={"week_start": WEEK.isoformat(), "time_limit": 3},
        ).json()["id"]
        finished_before = wait_for_job(client, finished, timeout_s=90)
        assert finished_before["status"] in ("optimal", "feasible")

        # A bigger week with a long time limit is still running when the server dies.
        large = client.post(
            "/v1/departments", json=department_body(managers=8, retailers_each=4)
        ).json()["id"]
        running = client.post(
            f"/v1/departments/{large}/timetables",
            json={"week_start": WEEK.isoformat(), "time_limit": 90},
        ).json()["id"]
        deadline = time.monotonic() + 60
        while client.get(f"/v1/timetables/{running}").json()["status"] != "running":
            assert time.monotonic() < deadline, "the job never started running"
            time.sleep(0.2)
        kill_group(process)

    with (
        running_server(database, log) as (_, base),
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        assert client.get(f"/v1/departments/{small}").json() == department_before
        assert client.get(f"/v1/timetables/{finished}").json() == finished_before
        assert client.get(f"/v1/timetables/{finished}.xlsx").status_code == 200
        after = client.get(f"/v1/timetables/{running}").json()
        assert after["status"] == "failed" and after["reason"] == "service restarted"


def test_serve_without_keys_listens_on_loopback_only(tmp_path: Path) -> None:
    """Asked for 0.0.0.0 without FIELDWEEK_API_KEYS, serve says so and binds 127.0.0.1 instead."""
    port = free_loopback_port()
    command = serve_command(port, f"sqlite:///{tmp_path / 'open.db'}")
    command[command.index("127.0.0.1")] = "0.0.0.0"
    log = tmp_path / "serve.log"
    environment = {k: v for k, v in os.environ.items() if k != "FIELDWEEK_API_KEYS"}
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while "Uvicorn running on" not in log.read_text() and process.poll() is None:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        text = log.read_text()
        assert "listens on 127.0.0.1 only" in text
        assert f"Uvicorn running on http://127.0.0.1:{port}" in text
    finally:
        kill_group(process)


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (read from /proc; empty where there is none)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        with suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        with suppress(OSError):
            if (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                living.add(pid)
    return living


def wait_until_gone(pids: set[int], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while alive(pids):
        assert time.monotonic() < deadline, f"worker processes outlived the server: {alive(pids)}"
        time.sleep(0.1)


def statuses(database: str) -> dict[str, tuple[str, str | None]]:
    """(status, reason) of every job in the database, read without a server."""
    store = Store(database)
    try:
        return {
            job.id: (job.status, job.reason)
            for job in store.jobs_in(("queued", "running", "optimal", "feasible", "infeasible",
                                      "failed", "done", "cancelled"))
        }
    finally:
        store.close()


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


@needs_proc
@pytest.mark.bench  # a soak run (30 s on 2 cores): opt-in, pytest -m bench; kill/restart is kept below
def test_killed_at_random_moments_no_job_is_lost_or_stuck(tmp_path: Path) -> None:
    """Rounds of: start the server, submit jobs, kill -9 the server alone at a random moment.
    Its workers die on their own; after each restart every job that was queued is queued,
    running or finished (never failed by the restart), every job that was running is
    finished or failed with its reason; at the end every job has finished."""
    database = f"sqlite:///{tmp_path / 'fieldweek.db'}"
    log = tmp_path / "server.log"
    chance = random.Random(20261123)
    submitted: list[str] = []
    before: dict[str, tuple[str, str | None]] = {}
    department = None
    started = time.monotonic()
    rounds = 0
    while rounds < 2 and time.monotonic() - started < 30:
        with (
            running_server(database, log) as (process, base),
            httpx.Client(base_url=base, timeout=30) as client,
        ):
            after = {job_id: client.get(f"/v1/jobs/{job_id}").json() for job_id in submitted}
            for job_id, (status, _reason) in before.items():
                now = after[job_id]
                if status == "queued":
                    assert now["reason"] != RESTART_REASON, now
                if now["status"] == "failed":
                    assert now["reason"], now
            if department is None:
                department = client.post("/v1/departments", json=department_body()).json()["id"]
            for _ in range(2):
                answer = client.post(
                    f"/v1/departments/{department}/timetables",
                    json={"week_start": WEEK.isoformat(), "time_limit": chance.choice([1, 2])},
                )
                assert answer.status_code == 202, answer.text
                submitted.append(answer.json()["id"])
            time.sleep(chance.uniform(0.0, 3.0))
            workers = descendants(process.pid)
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            wait_until_gone(workers)
        before = statuses(database)
        assert set(submitted) <= set(before), "a submitted job is missing from the database"
        rounds += 1

    with (
        running_server(database, log) as (_, base),
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        for job_id in submitted:
            final = wait_for_job(client, job_id, timeout_s=60)
            assert final["status"] in ("optimal", "feasible", "failed"), final
            if before[job_id][0] == "queued":
                assert final["reason"] != RESTART_REASON, final
            if final["status"] == "failed":
                assert final["reason"], final
    assert rounds >= 2


@needs_proc
def test_sigterm_stops_the_workers_and_queues_their_job_again(tmp_path: Path) -> None:
    """SIGTERM: the server stops its workers (none outlives it) and the job they were
    solving is queued again with the reason, to be solved after the next start."""
    database = f"sqlite:///{tmp_path / 'fieldweek.db'}"
    with (
        running_server(database, tmp_path / "server.log") as (process, base),
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        department = client.post(
            "/v1/departments", json=department_body(managers=8, retailers_each=4)
        ).json()["id"]
        job = client.post(
            f"/v1/departments/{department}/timetables",
            json={"week_start": WEEK.isoformat(), "time_limit": 60},
        ).json()["id"]
        deadline = time.monotonic() + 60
        while client.get(f"/v1/timetables/{job}").json()["status"] != "running":
            assert time.monotonic() < deadline, "the job never started running"
            time.sleep(0.2)
        workers = descendants(process.pid)
        assert workers
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        wait_until_gone(workers)
    assert statuses(database)[job] == ("queued", STOPPED_REASON)


@pytest.mark.bench  # starts two servers (9 s): opt-in, pytest -m bench
def test_a_second_server_on_the_same_database_refuses_to_start(tmp_path: Path) -> None:
    """While one server runs, `fieldweek serve` on the same database exits with 2 and says
    that another service is running on it; the first one's jobs are untouched."""
    database = f"sqlite:///{tmp_path / 'fieldweek.db'}"
    with (
        running_server(database, tmp_path / "first.log") as (_, base),
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        department = client.post("/v1/departments", json=department_body()).json()["id"]
        environment = {k: v for k, v in os.environ.items() if k != "FIELDWEEK_API_KEYS"}
        environment["FIELDWEEK_LEASE_HEARTBEAT_S"] = "0.3"
        environment["FIELDWEEK_LEASE_TTL_S"] = "1"
        second = subprocess.run(
            serve_command(free_loopback_port(), database),
            capture_output=True, text=True, env=environment, timeout=60,
        )
        assert second.returncode == 2
        assert "another fieldweek service" in second.stdout + second.stderr
        assert client.get(f"/v1/departments/{department}").status_code == 200
        assert not [s for s, _ in statuses(database).values() if s in UNFINISHED_STATES]
