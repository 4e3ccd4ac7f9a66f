"""A retailer's class is read against the policy: case and spaces do not matter, a class
the policy's [visit_value] does not value is refused at its row (data/README.md)."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest

from api.http.department_input import Upload, department_from_json, department_from_upload
from api.http.problems import InputProblems
from api.http.settings import Settings
from engine.errors import InputError, Problem
from engine.load import department_from_tables, load_department
from engine.policy import Policy, policy_from_mapping
from tests.api.http.support import department_body
from tests.engine.test_load import MANAGERS, RETAILERS, make_folder, with_cell

REFUSED_X = Problem(
    "class must be one of A, B, C (the classes policy '15-13-7' values in visit_value.by_class), not 'X'",
    file="retailers.csv", row=3, column="class")


def _policy(**visit_value: object) -> Policy:
    text = resources.files("fieldweek_policies").joinpath("15-13-7.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    data["visit_value"].update(visit_value)
    return policy_from_mapping(data, "mine.toml")


@pytest.mark.parametrize("typed", ["a", " a ", "A "])
def test_a_class_is_read_whatever_its_case_and_spaces(tmp_path: Path, typed: str) -> None:
    """A key customer typed 'a' stays a key customer (it was valued as a C)."""
    department = load_department(make_folder(tmp_path / "d", retailers=with_cell(RETAILERS, 1, "class", typed)))
    assert [r.retailer_class for r in department.retailers] == ["A", "A", "C"]


@pytest.mark.parametrize("typed", ["X", "AA", "甲"])
def test_a_class_the_policy_does_not_value_is_refused_at_its_row_and_column(tmp_path: Path, typed: str) -> None:
    with pytest.raises(InputError) as caught:
        load_department(make_folder(tmp_path / "d", retailers=with_cell(RETAILERS, 1, "class", typed)))
    assert caught.value.problems == [
        Problem(REFUSED_X.message.replace("'X'", f"'{typed}'"), file="retailers.csv", row=3, column="class")]


def test_a_policy_may_accept_other_classes_explicitly() -> None:
    """accept_other_classes = true: an unlisted class loads (upper-cased) and is valued other_classes."""
    policy = _policy(accept_other_classes=True)
    rows = with_cell(RETAILERS, 1, "class", "x")
    meta = {"name": "d", "office": {"lat": 30.69, "lon": 104.08}, "policy": "mine", "market_manager": "李"}
    department = department_from_tables(meta, {"retailers": rows, "managers": MANAGERS}, "{table}.csv",
                                        policy=policy)
    assert [r.retailer_class for r in department.retailers] == ["A", "X", "C"]
    assert policy.visit_value is not None and policy.visit_value.value("X") == policy.visit_value.other_classes
    assert _policy().visit_value.accept_other_classes is False  # type: ignore[union-attr]


def test_the_api_upload_refuses_it_the_same_way(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "d", retailers=with_cell(RETAILERS, 1, "class", "X"))
    files = [Upload(name, (folder / name).read_bytes()) for name in ("department.toml", "managers.csv",
                                                                     "retailers.csv")]
    with pytest.raises(InputProblems) as caught:
        department_from_upload({}, files, None, Settings())
    assert [(p["file"], p["row"], p["column"], p["message"]) for p in caught.value.problems] == [
        ("retailers.csv", 3, "class", REFUSED_X.message)]


def test_the_api_json_body_refuses_it_and_reads_lowercase() -> None:
    body = department_body()
    body["retailers"][1]["class"] = "X"
    with pytest.raises(InputProblems) as caught:
        department_from_json(body, Settings())
    assert [(p["row"], p["column"]) for p in caught.value.problems] == [(3, "class")]
    body["retailers"][1]["class"] = "b"
    checked = department_from_json(body, Settings())
    assert checked.department.retailers[1].retailer_class == "B"
