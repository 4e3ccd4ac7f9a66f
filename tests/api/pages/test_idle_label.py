"""The desk's chart of gaps between a day's blocks was labelled "Idle", the word the routes
JSON uses for waiting at stops too (`idle_minutes`): two measures under one word (an outside
tester read 240 against 756 min). The chart now says which it is, in both languages."""

from __future__ import annotations

from api.http.pages.texts import TEXTS


def test_the_chart_says_it_counts_the_gaps_between_blocks() -> None:
    assert "between blocks" in TEXTS["en"]["idle"] and "waiting on routes not included" in TEXTS["en"]["idle"]
    assert "块与块之间" in TEXTS["zh"]["idle"]
