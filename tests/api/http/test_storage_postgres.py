"""The API on a real PostgreSQL server, started by the test in a temporary folder: the same
behaviour as on SQLite (store, solve in a worker process, recover after a restart)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from engine.policy import load_policy
from tests.api.http.support import WEEK, department_body, wait_for_job


def _server_binaries() -> tuple[Path, Path] | None:
    """initdb and pg_ctl from PATH or Debian's /usr/lib/postgresql/<version>/bin."""
    found = [shutil.which(name) for name in ("initdb", "pg_ctl")]
    if all(found):
        return Path(found[0]).resolve(), Path(found[1]).resolve()
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder / "initdb", folder / "pg_ctl"
    return None


def _has_driver() -> bool:
    for module in ("psycopg", "psycopg2"):
        try:
            __import__(module)
        except ImportError:
            continue
        return True
    return False


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL cluster on a free loopback port; stopped and deleted afterwards.
    PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user."""
    binaries = _server_binaries()
    if binaries is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) not found; Debian: apt-get install postgresql"
        )
    if not _has_driver():
        pytest.skip("no PostgreSQL driver for SQLAlchemy: pip install 'psycopg[binary]'")
    initdb, pg_ctl = binaries
    run_as: list[str] = []
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run the server as")
        run_as = ["runuser", "-u", "postgres", "--"]
    folder = Path(tempfile.mkdtemp(prefix="fieldweek-pg-"))
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = folder / "data"
    try:
        subprocess.run(
            [
                *run_as,
                str(initdb),
                "-D",
                str(data),
                "-U",
                "fieldweek",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            [
                *run_as,
                str(pg_ctl),
                "-D",
                str(data),
                "-l",
                str(folder / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                f"-k {folder} -p {port} -h 127.0.0.1",
                "start",
            ],
            check=True,
            capture_output=True,
            timeout=90,
        )
        yield f"postgresql://fieldweek@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, str(pg_ctl), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


def test_postgres_stores_solves_and_recovers(postgres_url: str) -> None:
    """On PostgreSQL: a department round-trips, a week is solved by a worker process, timestamps
    keep their zone, and a job left running by a previous run is failed at start."""
    settings = Settings(database_url=postgres_url, default_time_limit_s=3)
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").json()["database"] == "postgresql"
        created = client.post("/v1/departments", json=department_body())
        assert created.status_code == 201, created.text
        department = created.json()
        assert client.get(f"/v1/departments/{department['id']}").json() == department
        assert department["created_at"].endswith("Z")
        job = client.post(
            f"/v1/departments/{department['id']}/timetables", json={"week_start": WEEK.isoformat()}
        ).json()
        assert wait_for_job(client, job["id"], timeout_s=90)["status"] in ("optimal", "feasible")
        store = client.app.state.service.store
        left_running = store.add_job(
            department["id"], WEEK, load_policy("15-13-7").model_dump(mode="json"), 3
        )
        store.start_job(left_running.id, "worker-of-a-dead-run")

    with TestClient(create_app(settings)) as client:
        after = client.get(f"/v1/timetables/{left_running.id}").json()
        assert after["status"] == "failed" and after["reason"] == "service restarted"
        assert client.get(f"/v1/timetables/{job['id']}.xlsx").status_code == 200
