"""The planners' process pools open after a long first step (the month's weeks, the
week's timetable): the fork server that imports the engine for their workers is started
before that step, so the import is not waited for when the pool opens."""

from __future__ import annotations

import multiprocessing.forkserver

import pytest

import engine.month as month
from engine.month import MonthParams, plan_month


class _WeeksReached(Exception):
    pass


def _server_running() -> bool:
    pid = multiprocessing.forkserver._forkserver._forkserver_pid
    return pid is not None and multiprocessing.forkserver._forkserver._forkserver_alive_fd is not None


def test_the_month_starts_its_pool_server_before_solving_the_weeks(monkeypatch, sample_department):
    department, policy = sample_department
    seen: list[bool] = []

    def weeks_reached(*args, **kwargs):
        seen.append(_server_running())
        raise _WeeksReached

    monkeypatch.setattr(month, "_month_weeks", weeks_reached)
    with pytest.raises(_WeeksReached):
        plan_month(department, policy, 2026, 12, params=MonthParams(processes=2))
    assert seen == [True]


def test_a_month_planned_in_one_process_needs_no_server(monkeypatch, sample_department):
    department, policy = sample_department
    started: list[str] = []
    monkeypatch.setattr(month, "start_pool_server", lambda: started.append("server"))
    monkeypatch.setattr(month, "_month_weeks", lambda *a, **k: (_ for _ in ()).throw(_WeeksReached()))
    with pytest.raises(_WeeksReached):
        plan_month(department, policy, 2026, 12, params=MonthParams(processes=1))
    assert started == []
