"""The department and policy the export tests draw: the two-manager test department of
tests.api.http.support (six retailers each around the office in central Chengdu) and the
shipped 15-13-7 policy."""

from __future__ import annotations

import pytest

from engine.domain import Department
from engine.policy import Policy, load_policy
from tests.api.http.support import department_body


@pytest.fixture(scope="module")
def department() -> Department:
    """The two-manager test department of tests.api.http.support."""
    return Department.model_validate(department_body())


@pytest.fixture(scope="module")
def policy() -> Policy:
    """The shipped 15-13-7 policy (10-minute grid, 08:00-17:30 day)."""
    return load_policy("15-13-7")
