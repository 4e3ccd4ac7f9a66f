"""`fieldweek month --previous`: a file that is not the department's previous month plan is
refused with a clear message (exit 2), before anything is solved."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.load import write_department
from engine.month import MonthPlan
from tests.strategies import simple_department


@pytest.mark.parametrize(("data", "said"), [
    ({"department": "{name}", "month": "2026-10"}, "the month before 2026-12 is 2026-11"),
    ({"department": "elsewhere", "month": "2026-11"}, "department 'elsewhere'"),
    ({"routes": []}, "not a month plan"),
    ({"department": "{name}", "month": "2026-11", "department_fingerprint": "0" * 64, "routes": "elsewhere"},
     "another department"),
    ({"department": "{name}", "month": "2026-11", "routes": [
        {"manager": "m01", "date": "2026-11-09", "visit_start": "08:30", "visit_end": "14:00", "start_from": "office",
         "stops": []}]}, "not one of its working days"),
    ({"department": "{name}", "month": "2026-11", "policy": "seed-003"}, "policy 'seed-003'"),
    ("{ not json", "cannot read the previous month's plan"),
])
def test_a_file_that_is_not_the_previous_month_plan_is_refused(tmp_path: Path, data: dict | str, said: str,
                                                               wide_consoles: None) -> None:
    from api.cli import app

    department = simple_department(2)
    folder = tmp_path / "dept"
    write_department(department, folder)
    previous = tmp_path / "nov.json"
    if isinstance(data, str):
        previous.write_text(data, encoding="utf-8")
    else:
        fields = {k: v.format(name=department.name) if isinstance(v, str) else v for k, v in data.items()}
        if fields.get("routes") == "elsewhere":  # the department's shop ids, every one at another place
            fields["routes"] = [{"manager": r.manager, "date": "2026-11-02", "visit_start": "08:30",
                                 "visit_end": "14:00", "start_from": "office",
                                 "stops": [{"retailer": r.id, "arrive": "09:00", "start": "09:00", "end": "09:15",
                                            "lat": r.lat + 0.05, "lon": r.lon}]} for r in department.retailers[:3]]
        if "month" in fields:
            fields = MonthPlan(**{"policy": "15-13-7", "days": (dt.date(2026, 11, 2),),
                                  **fields}).to_json_dict()  # type: ignore[arg-type]
        previous.write_text(json.dumps(fields), encoding="utf-8")
    result = CliRunner().invoke(app, ["month", str(folder), "--month", "2026-12", "--previous", str(previous)])
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert "nov.json" in result.output
