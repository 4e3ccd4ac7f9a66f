"""`fieldweek serve` as a real process: kill -9 it (and its workers) while a week is being
solved, start it again on the same SQLite file, and nothing is lost or stuck."""

from __future__ import annotations

import os
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
