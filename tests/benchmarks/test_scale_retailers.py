"""`fieldweek bench scale --retailers 300,600` (tester, seed 596): the 600 case was built
as 600 // 250 = 2 managers of 250 and measured 500 retailers, the table and CSV saying 500
beside a request for 600. The case holds exactly the retailers asked for. Generated
departments only: nothing is solved."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.departments import generate_department
from benchmarks.scale import RETAILERS_PER_MANAGER, route_department


@pytest.mark.parametrize(("retailers", "managers"), [(600, 2), (300, 2), (1001, 4), (3, 2), (1, 2), (1000, 4)])
def test_the_case_holds_exactly_the_retailers_asked_for(retailers: int, managers: int) -> None:
    """n // 250 managers (at least a pair's two), the remainder one each over the first
    managers: no territory more than one retailer larger than another."""
    department, policy = route_department(retailers, 596)
    assert len(department.retailers) == retailers
    assert len(department.managers) == max(retailers // RETAILERS_PER_MANAGER, policy.pairs.size) == managers
    assert len({r.id for r in department.retailers}) == retailers
    sizes = Counter(r.manager for r in department.retailers)
    counts = [sizes.get(m.id, 0) for m in department.managers]
    assert max(counts) - min(counts) <= 1 and counts == sorted(counts, reverse=True)


def test_a_size_of_whole_territories_is_the_department_it_always_was() -> None:
    """1000 retailers are 4 territories of 250, as before: earlier measurements still compare."""
    department, _ = route_department(1000, 596)
    assert department == generate_department(4, 596, retailers_per_manager=RETAILERS_PER_MANAGER)


def test_a_territory_cut_short_keeps_its_targets_and_stores() -> None:
    """A trimmed territory keeps its first retailers, among them POS targets and promotion
    stores, which the week's sessions need."""
    department, _ = route_department(601, 596)
    for manager in department.managers:
        mine = [r for r in department.retailers if r.manager == manager.id]
        assert any(r.pos_target for r in mine) and any(r.promo_store for r in mine)


def test_no_retailer_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one retailer"):
        route_department(0, 596)
