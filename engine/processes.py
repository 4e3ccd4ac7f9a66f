"""The worker processes of the planners' pools (engine/month.py: the managers' months;
engine/routing/plan.py: the managers' weeks of routes).

A fork server, not spawn: a spawned worker imported the engine again, about a second
every time a plan opened its pool; the fork server imports it once, when the first pool
starts, and forks each worker from that clean process. Not a plain fork: the caller may
hold solver threads, which a forked child would inherit locked (the fork server holds
none). Linux and macOS only, as the product's machines are."""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
from multiprocessing.context import BaseContext

PRELOADED = ["engine.month", "engine.routing.plan"]
"""Imported once in the fork server: every worker starts with them."""


def pool_context() -> BaseContext:
    """The multiprocessing context the planners' process pools start their workers in."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED)
    return context


def start_pool_server() -> None:
    """Start the fork server now, while the caller does its first step (a week's timetable):
    its import of the engine, about a second, is then done when the pool opens. Nothing in
    a daemonic process (a Dask worker's), which plans without a pool."""
    if multiprocessing.current_process().daemon:
        return
    pool_context()
    multiprocessing.forkserver.ensure_running()
