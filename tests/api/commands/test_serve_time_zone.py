"""A bad FIELDWEEK_TIMEZONE stops `fieldweek serve` at once, naming the variable and the
value, instead of a service whose every calendar download answers 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.http.settings import Settings


def test_an_unknown_time_zone_is_refused_by_the_settings() -> None:
    for zone in ("Asia/Shanghia", "", "../etc/passwd"):
        with pytest.raises(ValueError, match="FIELDWEEK_TIMEZONE"):
            Settings(timezone=zone)
    assert Settings.from_env({"FIELDWEEK_TIMEZONE": "Europe/Paris"}).timezone == "Europe/Paris"


def test_serve_exits_naming_the_variable_and_the_bad_value(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: None)  # never serve, even unfixed
    result = CliRunner().invoke(app, ["serve", "--db", f"sqlite:///{tmp_path / 'tz.db'}"],
                                env={"FIELDWEEK_TIMEZONE": "Asia/Shanghia"})
    assert result.exit_code == 2
    assert "FIELDWEEK_TIMEZONE" in result.output and "'Asia/Shanghia'" in result.output
    assert not (tmp_path / "tz.db").exists()
