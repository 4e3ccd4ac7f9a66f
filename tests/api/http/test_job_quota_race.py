"""The per-key and service job quotas hold under concurrent submissions: counting the
unfinished jobs and adding one is a single locked step (a count followed by a separate
insert let 12 parallel requests all in against a limit of 10)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi import HTTPException

from api.http.quotas import add_job_within_quota
from api.http.settings import Settings
from api.http.storage import UNFINISHED_STATES, Store
from engine.domain import Department
from tests.api.http.support import WEEK, department_body

RACERS = 12


def racing_submissions(tmp_path: Path, settings: Settings, owners: list[str]) -> tuple[Store, list[int]]:
    """Every owner submits one job at the same moment (a barrier releases all threads at
    once); returns the store and each submission's status (202 accepted, else the HTTP code)."""
    store = Store(f"sqlite:///{tmp_path / 'race.db'}")
    store.create_tables()
    department = Department.model_validate(department_body(managers=1, retailers_each=1))
    record = store.add_department(department.model_dump(mode="json", by_alias=True), None, None)
    barrier = threading.Barrier(len(owners))
    statuses: list[int] = [0] * len(owners)

    def submit(index: int) -> None:
        barrier.wait()
        try:
            add_job_within_quota(settings, store, record.id, WEEK, {}, 1.0, owner=owners[index])
            statuses[index] = 202
        except HTTPException as refused:
            statuses[index] = refused.status_code

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(owners))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return store, statuses


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}",
                    max_pending_jobs_per_key=3, max_pending_jobs=5)


def test_concurrent_submissions_of_one_key_never_pass_its_quota(
    tmp_path: Path, settings: Settings
) -> None:
    store, statuses = racing_submissions(tmp_path, settings, ["east"] * RACERS)
    try:
        assert statuses.count(202) == 3
        assert statuses.count(429) == RACERS - 3
        assert store.count_jobs_in(UNFINISHED_STATES, "east", of_owner=True) == 3
    finally:
        store.close()


def test_concurrent_submissions_of_many_keys_never_pass_the_service_quota(
    tmp_path: Path, settings: Settings
) -> None:
    store, statuses = racing_submissions(tmp_path, settings, [f"key{i}" for i in range(RACERS)])
    try:
        assert statuses.count(202) == 5
        assert store.count_jobs_in(UNFINISHED_STATES) == 5
    finally:
        store.close()
