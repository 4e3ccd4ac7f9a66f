"""The load test itself, tiny: three clients for five seconds against a real `fieldweek
serve` on loopback. Every answer is 2xx/3xx or an intended 429, and the report carries
the latency percentiles per endpoint, the counts and the server's peak memory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.load import LoadOptions, markdown, percentile, run

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([3.0], 0.99) == 3.0


@pytest.mark.bench  # a load run: opt-in (pytest -m bench) as the suite's other long runs
def test_three_clients_for_three_seconds_meet_no_error(tmp_path: Path) -> None:
    options = LoadOptions(clients=3, seconds=3, grace=20, first_solve_s=2, job_solve_s=1,
                          think_s=0.3)
    result = run(options, tmp_path)

    assert result["errors"] == 0, result["error_samples"]
    assert result["clients_cut_off"] == 0
    assert result["requests"] > 0
    for endpoint in result["endpoints"]:
        assert {"endpoint", "requests", "p50_ms", "p95_ms", "p99_ms", "statuses", "errors"} <= set(endpoint)
        assert endpoint["p50_ms"] <= endpoint["p95_ms"] <= endpoint["p99_ms"]
    assert result["memory"]["server_peak_mb"] > 0
    assert "| endpoint | requests | p50 ms | p95 ms | p99 ms |" in markdown(result)
    assert result["left_running"] == []  # the server and its workers are gone
    log = (tmp_path / "server.log").read_text(encoding="utf-8")
    assert "Traceback" not in log, log[-3000:]
