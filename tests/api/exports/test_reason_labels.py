"""Every closed-vocabulary reason the planners write has a label in both workbook
languages: the month's `called_by_phone` showed as the bare code in the workbook."""

from __future__ import annotations

import pytest

from api.exports.labels import reason_label, words_for

REASONS = ("no_visit_days", "opening_hours", "too_far", "time_window", "no_room_in_day", "spacing",
           "focus_window", "manager_absent", "called_by_phone", "retailer_closed", "not_planned")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("code", REASONS)
def test_each_reason_has_words_with_its_code(lang: str, code: str) -> None:
    label = reason_label(words_for(lang), code)
    assert label != code and label.endswith(f" ({code})")
