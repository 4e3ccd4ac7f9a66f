"""The route map's streets come from the department's own street network (SPEC §1, the
exports): `street_network` in department.toml, a path relative to the folder, checked
when the folder loads (a missing file named at department.toml, street_network) and
written back by `write_department`; FIELDWEEK_STREETS stays the fallback, and the only
network of the service. The Chengdu extract is read in place."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from api.exports.route_map import route_map_page
from api.exports.street_basemap import STREETS_VARIABLE, department_network
from engine.domain import Department
from engine.errors import InputError
from engine.load import department_from_tables, load_department_with_policy, write_department
from engine.policy import load_policy
from tests.api.exports.route_map_week import CHENGDU_STREETS, week_of_routes
from tests.api.http.support import WEEK, department_body


def _folder(tmp_path: Path, network: str | None) -> Path:
    folder = tmp_path / "dept"
    write_department(Department.model_validate(department_body()), folder)
    if network is not None:
        with (folder / "department.toml").open("a", encoding="utf-8") as toml:
            toml.write(f"street_network = {network!r}\n")
    return folder


def test_a_missing_or_empty_network_is_named_at_its_setting(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "streets/nowhere.graphml")
    with pytest.raises(InputError) as raised:
        load_department_with_policy(folder)
    [problem] = raised.value.problems
    assert (problem.file, problem.column) == ("department.toml", "street_network")
    assert "nowhere.graphml" in problem.message
    (folder / "department.toml").write_text(
        (folder / "department.toml").read_text("utf-8").replace("'streets/nowhere.graphml'", "''"), "utf-8")
    with pytest.raises(InputError) as raised:
        load_department_with_policy(folder)
    assert [(p.file, p.column) for p in raised.value.problems] == [("department.toml", "street_network")]


def test_without_a_folder_the_setting_is_kept_but_never_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    """An upload's department.toml may name its network; the service keeps the text and
    draws the configured network instead of opening a path a caller sent."""
    body = department_body()
    meta = {"name": body["name"], "office": body["office"], "policy": body["policy"],
            "market_manager": body["market_manager"], "street_network": "/etc/passwd"}
    tables = {"managers": [{k: str(v) if not isinstance(v, list) else ";".join(v) for k, v in m.items()}
                           for m in body["managers"]],
              "retailers": [{k: str(v) for k, v in r.items()} for r in body["retailers"]]}
    department = department_from_tables(meta, tables, "{table}")
    assert department.street_network == "/etc/passwd"
    monkeypatch.delenv(STREETS_VARIABLE, raising=False)
    assert department_network(department, None) is None
    monkeypatch.setenv(STREETS_VARIABLE, "/srv/streets.graphml")
    assert department_network(department, None) == Path("/srv/streets.graphml")


def test_the_departments_network_is_drawn_before_the_configured_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not CHENGDU_STREETS.is_file():
        pytest.skip(f"the Chengdu extract is not at {CHENGDU_STREETS}")
    relative = os.path.relpath(CHENGDU_STREETS, tmp_path / "dept")
    folder = _folder(tmp_path, relative)
    department, policy = load_department_with_policy(folder)
    assert department.street_network == relative
    write_department(department, tmp_path / "again")
    assert f"street_network = \"{relative}\"" in (tmp_path / "again" / "department.toml").read_text("utf-8")

    monkeypatch.setenv(STREETS_VARIABLE, str(tmp_path / "not-this-one.graphml"))
    network = department_network(department, folder)
    assert network == CHENGDU_STREETS.resolve()
    page = route_map_page(week_of_routes(department), department, load_policy(policy.name), day=WEEK,
                          manager="m01", network=network)
    assert len(re.findall(r'<path class="street street-', page)) >= 2  # streets drawn, in classes
    assert "not-this-one" not in page

    no_network = _folder(tmp_path / "plain", None)
    plain, _ = load_department_with_policy(no_network)
    assert plain.street_network is None
    fallback = route_map_page(week_of_routes(plain), plain, policy, day=WEEK, manager="m01",
                              network=department_network(plain, no_network))
    assert "not-this-one.graphml" in fallback  # the configured file, and the note that it cannot be read
    assert '<path class="street' not in fallback
