"""PyVRP on its own, as its documentation shows it: `read(..., round_func="dimacs")`
then `solve(data, stop=MaxRuntime(t), seed=...)` with default parameters.

The reference the engine's pyvrp backend is measured against. Solutions are
verified by the same independent checker as `fieldweek bench vrptw`, and the
CSV it writes merges with the engine's through `fieldweek bench vrptw-report`.
On a shared machine, `--with-engine` runs the engine's pyvrp backend right after
PyVRP on each instance, so both see the same load (a paired comparison).

    python benchmarks/pyvrp_standalone.py ../shared/benchmarks/solomon \
        --time-limit 5 --csv /tmp/pyvrp_standalone.csv [--with-engine]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pyvrp import read, solve
from pyvrp.stop import MaxRuntime

from api.commands.vrptw import bench_row, print_tables, select_instances, write_rows_csv
from engine.routing.instances import customer_routes, read_bks, read_instance
from engine.routing.vrptw import solve as engine_solve

SOLVER_LABEL = "pyvrp-standalone"


def main(argv: list[str] | None = None) -> int:
    """Run PyVRP on every instance of a folder; returns the number of infeasible ones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default=None, help="comma list of names or globs")
    parser.add_argument("--csv", type=Path, default=None)
    parser.add_argument(
        "--with-engine", action="store_true", help="also run the engine's pyvrp backend, paired"
    )
    args = parser.parse_args(argv)

    best_known = read_bks(args.directory / "bks.csv")
    rows = []
    for path in select_instances(args.directory, args.only):
        started = time.perf_counter()
        data = read(path, round_func="dimacs")
        result = solve(data, stop=MaxRuntime(args.time_limit), seed=args.seed, display=False)
        wall_s = time.perf_counter() - started  # result.runtime leaves out PyVRP's construction
        # With one depot listed first, a client's location is its customer number.
        routes = [
            [data.client(stop.idx).location for stop in route.schedule() if stop.is_client()]
            for route in result.best.routes()
        ]
        rows.append(
            bench_row(
                SOLVER_LABEL,
                path,
                routes,
                runtime_s=wall_s,
                iterations=result.num_iterations,
                best_known=best_known.get(path.stem),
            )
        )
        if args.with_engine:
            solution = engine_solve(
                read_instance(path), time_limit_s=args.time_limit, seed=args.seed, backend="pyvrp"
            )
            rows.append(
                bench_row(
                    "pyvrp",
                    path,
                    customer_routes(solution),
                    runtime_s=solution.runtime_s,
                    iterations=solution.iterations,
                    best_known=best_known.get(path.stem),
                )
            )
        for row in rows[-2 if args.with_engine else -1 :]:
            print(
                f"{path.stem} {row.solver}: {row.distance:.1f} gap {row.gap_pct}", file=sys.stderr
            )
    print_tables(rows)
    if args.csv is not None:
        write_rows_csv(rows, args.csv)
    return sum(not row.feasible for row in rows)


if __name__ == "__main__":
    raise SystemExit(main())
