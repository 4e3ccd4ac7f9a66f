"""Shared fixtures: the shipped policies and the sample department."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from engine.load import load_department_with_policy
from engine.policy import Policy, load_policy
from tests.locations import REPO

# Property tests draw the same examples on every run (CI included), so a suite that passed
# here passes there; HYPOTHESIS_PROFILE=explore draws new ones to hunt for counterexamples.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


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
