"""`fieldweek bench pvrp`: the plain approach's time limit is refused below what the product's
own `--time-limit` accepts (tester E5: `--plain-time-limit -5` and `0` ran, exit 0)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.mark.parametrize("limit", ["-5", "0"])
def test_a_plain_time_limit_below_half_a_second_is_refused(tmp_path: Path, limit: str) -> None:
    from api.cli import app

    result = CliRunner().invoke(app, ["bench", "pvrp", str(tmp_path), "--plain-time-limit", limit])
    assert result.exit_code == 2
    assert "--plain-time-limit" in result.output
