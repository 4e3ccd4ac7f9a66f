"""Fixtures the routing tests share."""

from __future__ import annotations

import pytest

from tests.engine.routing.line_territory import first_stop_every_day


@pytest.fixture(scope="module")
def lunch_apart_policy(policy_15_13_7):
    """The shipped policy with a first stop every day and the lunch a block of its own
    (not taken inside a visit block): the itinerary tests' days."""
    policy = first_stop_every_day(policy_15_13_7)
    assert not policy.lunch.during_visit
    return policy
