"""The HTTP service under load (SPEC §8): `fieldweek serve` on loopback with two keys,
one generated department per key, and N concurrent clients doing the real mix.

    python -m benchmarks.load --clients 50 --seconds 120 --json /tmp/load.json

Each client repeats, with a short random pause between requests: list departments, read
one, read a timetable plan, export it (.xlsx, .ics, .html, the route map), follow its
own jobs, and now and then submit a timetable job, a routes job or a re-plan (a manager
off sick). A 429 is an intended answer (a quota): it is counted apart and its
`Retry-After` is honoured by waiting. Any other answer that is not 2xx/3xx, or a request
that fails to connect or times out, is an error. The server's memory (and that of each
worker process it starts) is sampled every half second; the report gives p50/p95/p99
latency per endpoint, the counts, the errors and the peak memory.

Bounded: only 127.0.0.1; clients start no request after `--seconds`, in-flight requests
are cut off `--grace` seconds later, and the server and its workers are killed at the end
whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.departments import BENCH_WEEK, generate_department

SAMPLE_EVERY_S = 0.5
STARTUP_TIMEOUT_S = 60.0
SEED_TIMEOUT_S = 240.0
REQUEST_TIMEOUT_S = 60.0
UNFINISHED = ("queued", "running")
INTENDED = 429

# (action, weight): reads dominate, as for people opening their week; submissions are rare.
MIX: tuple[tuple[str, float], ...] = (
    ("list_departments", 12),
    ("get_department", 5),
    ("read_plan", 20),
    ("export_xlsx", 8),
    ("export_ics", 8),
    ("export_html", 8),
    ("route_map", 8),
    ("follow_job", 6),
    ("submit_timetable", 1.5),
    ("submit_routes", 1.0),
    ("submit_replan", 1.0),
)


@dataclass(frozen=True)
class LoadOptions:
    clients: int = 50
    seconds: float = 120.0
    grace: float = 30.0
    managers: int = 4
    retailers_per_manager: int = 18
    """Enough for the policy's three POS-target households a week (one in six is a target)."""
    seed: int = 0
    first_solve_s: float = 5.0
    """Time limit of each department's first timetable (before the clients start)."""
    job_solve_s: float = 2.0
    """Time limit of the timetables, routes and re-plans the clients submit."""
    think_s: float = 1.0
    """Each client pauses a random 0..think_s seconds between requests."""


@dataclass
class Seeded:
    """One key's department as the clients use it."""

    key: str
    department: str
    timetable: str
    managers: tuple[str, ...]
    jobs: list[str] = field(default_factory=list)


@dataclass
class Tally:
    """Every answer of the run, per endpoint."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, Counter[str]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    cut_off: int = 0

    def record(self, endpoint: str, status: str, seconds: float) -> None:
        self.latencies.setdefault(endpoint, []).append(seconds)
        self.statuses.setdefault(endpoint, Counter())[status] += 1


# --- the server ------------------------------------------------------------------------


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_server(folder: Path, keys: dict[str, str]) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`fieldweek serve` on 127.0.0.1 with a fresh SQLite file and the keys (key → grant);
    yields (process, base URL) once /healthz answers, and kills its process group at the end."""
    keys_file = folder / "keys.txt"
    keys_file.write_text("".join(f"{key} = {grant}\n" for key, grant in keys.items()), encoding="utf-8")
    environment = dict(os.environ)
    environment["FIELDWEEK_API_KEYS"] = str(keys_file)
    environment.pop("FIELDWEEK_DB", None)
    port = free_loopback_port()
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--db", f"sqlite:///{folder / 'load.db'}"]
    with open(folder / "server.log", "ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment,
                                   start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(process, base, folder / "server.log")
        yield process, base
    finally:
        _kill_group(process)


def _wait_healthy(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /healthz within {STARTUP_TIMEOUT_S:.0f} s")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server alone (it stops its workers and queues their jobs again), then
    SIGKILL whatever is left of its process group."""
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15.0)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5.0)


# --- memory ----------------------------------------------------------------------------


def _status_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process in KiB, from /proc/<pid>/status."""
    values: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0])
    return values


def _descendants(pid: int) -> list[int]:
    """Every live process below `pid` (its workers and theirs), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    frontier = [pid]
    while frontier:
        children = parents.get(frontier.pop(), [])
        found += children
        frontier += children
    return found


def _command_name(pid: int) -> str:
    with contextlib.suppress(OSError):
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        text = " ".join(w.decode(errors="replace") for w in words if w)
        if "resource_tracker" in text:
            return "resource tracker"
        if "multiprocessing" in text or "spawn_main" in text:
            return "worker"
        return text[:60]
    return "?"


class MemorySampler:
    """Samples the server's and each descendant's RSS every half second (a thread);
    keeps each process's peak (the larger of its sampled RSS and the kernel's VmHWM)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.server_peak_kib = 0
        self.children: dict[int, dict[str, Any]] = {}
        self.total_peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY_S):
            self.sample()

    def sample(self) -> None:
        own = _status_kib(self.pid)
        total = own.get("VmRSS", 0)
        self.server_peak_kib = max(self.server_peak_kib, own.get("VmRSS", 0), own.get("VmHWM", 0))
        for child in _descendants(self.pid):
            values = _status_kib(child)
            if not values:
                continue
            total += values.get("VmRSS", 0)
            seen = self.children.setdefault(child, {"name": _command_name(child), "peak_kib": 0})
            seen["peak_kib"] = max(seen["peak_kib"], values.get("VmRSS", 0), values.get("VmHWM", 0))
        self.total_peak_kib = max(self.total_peak_kib, total)

    def summary(self) -> dict[str, Any]:
        return {
            "server_peak_mb": round(self.server_peak_kib / 1024, 1),
            "children": [
                {"pid": pid, "name": seen["name"], "peak_mb": round(seen["peak_kib"] / 1024, 1)}
                for pid, seen in sorted(self.children.items())
            ],
            "all_processes_peak_mb": round(self.total_peak_kib / 1024, 1),
        }


# --- seeding ---------------------------------------------------------------------------


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _wait_job(client: httpx.Client, job_id: str, key: str) -> dict[str, Any]:
    deadline = time.monotonic() + SEED_TIMEOUT_S
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}", headers=_bearer(key)).raise_for_status().json()
        if job["status"] not in UNFINISHED:
            return job
        time.sleep(0.3)
    raise RuntimeError(f"seeding: job {job_id} unfinished after {SEED_TIMEOUT_S:.0f} s")


def seed(base: str, keys: list[str], options: LoadOptions) -> list[Seeded]:
    """One generated department per key, its first timetable solved and its week routed
    (the route map needs a stored route plan)."""
    seeded: list[Seeded] = []
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as client:
        for number, key in enumerate(keys):
            department = generate_department(
                options.managers, options.seed + number,
                retailers_per_manager=options.retailers_per_manager,
            )
            body = department.model_dump(mode="json", by_alias=True)
            created = client.post("/v1/departments", json=body, headers=_bearer(key))
            if created.status_code != 201:
                raise RuntimeError(f"seeding: POST /v1/departments answered {created.status_code}: {created.text[:500]}")
            department_id = created.json()["id"]
            submitted = client.post(
                f"/v1/departments/{department_id}/timetables",
                json={"week_start": BENCH_WEEK.isoformat(), "time_limit": options.first_solve_s},
                headers=_bearer(key),
            ).raise_for_status().json()
            solved = _wait_job(client, submitted["id"], key)
            if solved["status"] not in ("optimal", "feasible"):
                raise RuntimeError(f"seeding: the first timetable ended {solved['status']}: {solved['reason']}")
            routes = client.post(
                f"/v1/departments/{department_id}/routes",
                json={"week_start": BENCH_WEEK.isoformat(), "time_limit": options.job_solve_s},
                headers=_bearer(key),
            ).raise_for_status().json()
            routed = _wait_job(client, routes["id"], key)
            if routed["status"] != "done":
                raise RuntimeError(f"seeding: the first routes ended {routed['status']}: {routed['reason']}")
            seeded.append(Seeded(key=key, department=department_id, timetable=submitted["id"],
                                 managers=tuple(m.id for m in department.managers)))
    return seeded


# --- the clients -----------------------------------------------------------------------


def _request_for(action: str, own: Seeded, rng: random.Random, options: LoadOptions) -> tuple[str, str, str, Any]:
    """(endpoint label, method, path, JSON body) of one request of the mix."""
    week = BENCH_WEEK.isoformat()
    plan = own.timetable
    if action == "list_departments":
        return "GET /v1/departments", "GET", "/v1/departments", None
    if action == "get_department":
        return "GET /v1/departments/{id}", "GET", f"/v1/departments/{own.department}", None
    if action == "read_plan":
        return "GET /v1/timetables/{id}", "GET", f"/v1/timetables/{plan}", None
    if action == "export_xlsx":
        return "GET /v1/timetables/{id}.xlsx", "GET", f"/v1/timetables/{plan}.xlsx", None
    if action == "export_ics":
        manager = rng.choice(own.managers)
        return "GET /v1/timetables/{id}.ics", "GET", f"/v1/timetables/{plan}.ics?manager={manager}", None
    if action == "export_html":
        return "GET /v1/timetables/{id}.html", "GET", f"/v1/timetables/{plan}.html", None
    if action == "route_map":
        return ("GET /v1/routes/map.html", "GET",
                f"/v1/routes/map.html?department={own.department}&week_start={week}", None)
    if action == "follow_job" and own.jobs:
        return "GET /v1/jobs/{id}", "GET", f"/v1/jobs/{rng.choice(own.jobs)}", None
    if action == "submit_timetable":
        return ("POST /v1/departments/{id}/timetables", "POST",
                f"/v1/departments/{own.department}/timetables",
                {"week_start": week, "time_limit": options.job_solve_s})
    if action == "submit_routes":
        return ("POST /v1/departments/{id}/routes", "POST", f"/v1/departments/{own.department}/routes",
                {"week_start": week, "manager": rng.choice(own.managers), "time_limit": options.job_solve_s})
    if action == "submit_replan":
        now = dt.datetime.combine(BENCH_WEEK + dt.timedelta(days=rng.randrange(1, 4)), dt.time(13, 0))
        event = {"type": "manager_sick", "manager": rng.choice(own.managers),
                 "from": now.isoformat(), "until": now.date().isoformat()}
        return ("POST /v1/timetables/{id}/replan", "POST", f"/v1/timetables/{plan}/replan",
                {"now": now.isoformat(), "events": [event], "time_limit": options.job_solve_s})
    return "GET /v1/departments", "GET", "/v1/departments", None


async def _one_request(client: httpx.AsyncClient, own: Seeded, action: str, rng: random.Random,
                       options: LoadOptions, tally: Tally, stop_at: float) -> None:
    endpoint, method, path, body = _request_for(action, own, rng, options)
    started = time.monotonic()
    try:
        response = await client.request(method, path, json=body, headers=_bearer(own.key))
    except httpx.HTTPError as exc:
        tally.record(endpoint, type(exc).__name__, time.monotonic() - started)
        tally.errors.append({"endpoint": endpoint, "path": path, "error": repr(exc)})
        return
    elapsed = time.monotonic() - started
    status = response.status_code
    tally.record(endpoint, str(status), elapsed)
    if status == 202:
        own.jobs.append(response.json()["id"])
    elif status == INTENDED:
        retry_after = float(response.headers.get("Retry-After", "1"))
        await asyncio.sleep(max(0.0, min(retry_after, stop_at - time.monotonic())))
    elif status >= 400:
        tally.errors.append({"endpoint": endpoint, "path": path, "status": status,
                             "body": body, "answer": response.text[:500]})


async def _client(number: int, base: str, seeded: list[Seeded], options: LoadOptions,
                  tally: Tally, stop_at: float) -> None:
    rng = random.Random(f"load-client-{options.seed}-{number}")
    own = seeded[number % len(seeded)]
    actions = [name for name, _ in MIX]
    weights = [weight for _, weight in MIX]
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S) as client:
        while time.monotonic() < stop_at:
            action = rng.choices(actions, weights)[0]
            await _one_request(client, own, action, rng, options, tally, stop_at)
            await asyncio.sleep(rng.uniform(0, options.think_s))


async def run_clients(base: str, seeded: list[Seeded], options: LoadOptions) -> Tally:
    """N clients until `seconds` have passed; those still waiting `grace` seconds later are cut off."""
    tally = Tally()
    stop_at = time.monotonic() + options.seconds
    tasks = [asyncio.create_task(_client(n, base, seeded, options, tally, stop_at))
             for n in range(options.clients)]
    _, pending = await asyncio.wait(tasks, timeout=options.seconds + options.grace)
    for task in pending:
        task.cancel()
    tally.cut_off = len(pending)
    await asyncio.gather(*pending, return_exceptions=True)
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            tally.errors.append({"endpoint": "client", "error": repr(task.exception())})
    return tally


def job_outcomes(base: str, seeded: list[Seeded]) -> dict[str, dict[str, int]]:
    """How the jobs the clients submitted stand at the end: per kind, per status."""
    outcomes: dict[str, Counter[str]] = {}
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as client:
        for own in seeded:
            for job_id in own.jobs:
                answer = client.get(f"/v1/jobs/{job_id}", headers=_bearer(own.key))
                job = answer.json() if answer.status_code == 200 else {"kind": "?", "status": str(answer.status_code)}
                outcomes.setdefault(job["kind"], Counter())[job["status"]] += 1
    return {kind: dict(counts) for kind, counts in sorted(outcomes.items())}


# --- the report ------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of `values` (share in 0..1)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered) - 1e-9)))
    return ordered[rank - 1]


def report(tally: Tally, memory: dict[str, Any], jobs: dict[str, dict[str, int]],
           options: LoadOptions) -> dict[str, Any]:
    endpoints = []
    for endpoint in sorted(tally.latencies):
        times = tally.latencies[endpoint]
        statuses = tally.statuses[endpoint]
        errors = sum(n for s, n in statuses.items() if not (s.isdigit() and (int(s) < 400 or int(s) == INTENDED)))
        endpoints.append({
            "endpoint": endpoint,
            "requests": len(times),
            "p50_ms": round(percentile(times, 0.50) * 1000),
            "p95_ms": round(percentile(times, 0.95) * 1000),
            "p99_ms": round(percentile(times, 0.99) * 1000),
            "statuses": dict(sorted(statuses.items())),
            "throttled_429": statuses.get(str(INTENDED), 0),
            "errors": errors,
        })
    return {
        "options": asdict(options),
        "requests": sum(e["requests"] for e in endpoints),
        "errors": len(tally.errors),
        "throttled_429": sum(e["throttled_429"] for e in endpoints),
        "clients_cut_off": tally.cut_off,
        "endpoints": endpoints,
        "error_samples": tally.errors[:20],
        "jobs": jobs,
        "memory": memory,
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "| endpoint | requests | p50 ms | p95 ms | p99 ms | statuses | 429 | errors |",
        "|---|--:|--:|--:|--:|---|--:|--:|",
    ]
    for e in result["endpoints"]:
        statuses = ", ".join(f"{s}: {n}" for s, n in e["statuses"].items())
        lines.append(f"| `{e['endpoint']}` | {e['requests']} | {e['p50_ms']} | {e['p95_ms']} | "
                     f"{e['p99_ms']} | {statuses} | {e['throttled_429']} | {e['errors']} |")
    memory = result["memory"]
    children = "; ".join(f"{c['name']} (pid {c['pid']}) {c['peak_mb']} MB" for c in memory["children"]) or "none"
    jobs = "; ".join(f"{kind}: " + ", ".join(f"{s} {n}" for s, n in counts.items())
                     for kind, counts in result["jobs"].items()) or "none"
    lines += [
        "",
        f"Requests: {result['requests']}; errors (not 2xx/3xx and not 429): {result['errors']}; "
        f"intended 429s: {result['throttled_429']}; clients cut off at the hard stop: "
        f"{result['clients_cut_off']}; server processes left running after the stop: "
        f"{len(result.get('left_running', ()))}.",
        f"Peak memory (RSS): server {memory['server_peak_mb']} MB; its child processes: {children}; "
        f"all together at the highest sample: {memory['all_processes_peak_mb']} MB.",
        f"Jobs the clients submitted, at the end: {jobs}.",
    ]
    return "\n".join(lines)


def run(options: LoadOptions, workdir: Path) -> dict[str, Any]:
    """Start the server, seed it, run the clients, and return the report (the server is
    killed before this returns). The server's log is `workdir/server.log`."""
    keys = {f"load-key-{n}-{random.SystemRandom().getrandbits(64):016x}": "dnone" for n in range(2)}
    with running_server(workdir, keys) as (process, base):
        seeded = seed(base, list(keys), options)
        with MemorySampler(process.pid) as sampler:
            tally = asyncio.run(run_clients(base, seeded, options))
            jobs = job_outcomes(base, seeded)
    result = report(tally, sampler.summary(), jobs, options)
    result["left_running"] = [
        pid for pid in (process.pid, *sampler.children) if _status_kib(pid).get("VmRSS")
    ]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=LoadOptions.clients)
    parser.add_argument("--seconds", type=float, default=LoadOptions.seconds)
    parser.add_argument("--grace", type=float, default=LoadOptions.grace)
    parser.add_argument("--managers", type=int, default=LoadOptions.managers)
    parser.add_argument("--job-seconds", type=float, default=LoadOptions.job_solve_s,
                        help="time limit of the jobs the clients submit (s)")
    parser.add_argument("--think", type=float, default=LoadOptions.think_s, help="max pause between requests (s)")
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    parser.add_argument("--keep", type=Path, help="keep the database and server log in this folder")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 500 or not 0 < args.seconds <= 3600:
        parser.error("--clients must be 1..500 and --seconds 0..3600")
    options = LoadOptions(clients=args.clients, seconds=args.seconds, grace=args.grace,
                          managers=args.managers, think_s=args.think,
                          job_solve_s=args.job_seconds)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        result = run(options, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="fieldweek-load-") as folder:
            result = run(options, Path(folder))
    print(markdown(result))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
