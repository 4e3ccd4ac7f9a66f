"""Shared fixtures: the shipped policies and the sample department."""

from __future__ import annotations

import pytest

from engine.load import load_department_with_policy
from engine.policy import Policy, load_policy
from tests.locations import REPO


@pytest.fixture(scope="session")
def policy_15_13_7() -> Policy:
    """data/policies/15-13-7.toml: the "15+13+7" week of SPEC §2."""
    return load_policy("15-13-7")


@pytest.fixture(scope="session")
def policy_seed_003() -> Policy:
    """data/policies/seed-003.toml: seed 003's day."""
    return load_policy("seed-003")


@pytest.fixture(scope="session")
def sample_department():
    """data/sample/: the bundled 13-manager department and its policy."""
    return load_department_with_policy(REPO / "data" / "sample")
