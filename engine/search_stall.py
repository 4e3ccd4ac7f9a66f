"""Ending a CP-SAT search once it has stopped improving.

CP-SAT calls back only when it finds a better solution, so the time since the last one
is kept by a watcher thread that asks the solver to stop. Never before the first
solution: a search that has found nothing keeps its whole limit."""

from __future__ import annotations

import threading
import time

from ortools.sat.python import cp_model


class StallWatch:
    """Stops `solver` `stall_s` seconds after the last `improved()` call; None: never.

    Use as a context manager around `solver.solve(...)`, and call `improved()` from the
    solution callback."""

    def __init__(self, solver: cp_model.CpSolver, stall_s: float | None):
        self._solver, self._stall_s = solver, stall_s
        self._last: float | None = None
        self._done = threading.Event()

    def improved(self) -> None:
        self._last = time.perf_counter()

    def __enter__(self) -> StallWatch:
        if self._stall_s is not None:
            threading.Thread(target=self._watch, args=(self._stall_s,), daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()

    def _watch(self, stall_s: float) -> None:
        while not self._done.wait(min(stall_s / 4, 0.1)):
            if self._last is not None and time.perf_counter() - self._last >= stall_s:
                self._solver.stop_search()
                return


class StopOnStall(cp_model.CpSolverSolutionCallback):
    """A solution callback that only keeps the time for a `StallWatch`."""

    def __init__(self, watch: StallWatch):
        super().__init__()
        self._watch = watch

    def on_solution_callback(self) -> None:
        self._watch.improved()
