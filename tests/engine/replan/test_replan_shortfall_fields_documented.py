"""A tester read a re-plan's `check.shortfalls` entry (`planned`, `asked`, `lost`) as
"lost = the amount short" and could not make planned + lost equal asked: `lost` is what
the events took from the old plan, the bound on the amount short. The JSON contract
(ReplanResult's description, also its JSON schema's) says so in plain words."""

from __future__ import annotations

from engine.replan.result import ReplanResult


def test_the_contract_says_what_planned_asked_and_lost_mean() -> None:
    said = " ".join(str(ReplanResult.model_json_schema()["description"]).split())
    assert "`check`" in said and "`shortfalls`" in said
    assert "`lost`: what the events took from the OLD plan" in said
    assert "NOT the amount short" in said
    assert "The amount short is `asked - planned`, and it is at most `lost`" in said
    assert "`planned + lost` need not equal `asked`" in said
