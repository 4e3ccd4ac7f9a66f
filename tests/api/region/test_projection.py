"""The wall a region would take on more workers (`fieldweek bench region`): between the
busy seconds spread evenly (or its longest chain, if longer) and Graham's bound."""

from __future__ import annotations

import pytest

from api.region.report import projected_wall, projected_wall_at_most


@pytest.mark.parametrize(("workers", "low", "high"), [(1, 673.6, 688.0), (4, 168.4, 182.8), (64, 14.4, 24.925)])
def test_the_projection_lies_between_the_even_spread_and_grahams_bound(
    workers: int, low: float, high: float
) -> None:
    assert projected_wall(673.6, 14.4, workers) == pytest.approx(low)
    assert projected_wall_at_most(673.6, 14.4, workers) == pytest.approx(high)
