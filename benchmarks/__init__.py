"""The quality benchmarks of SPEC §6, shipped with fieldweek so that `fieldweek bench`
works from an installed wheel.

- `departments`: seeded departments of any head-count;
- `cases`: one case's result (solver figures and both plans' measures);
- `timetable_suite`, `routes_suite`: the loops that solve, build the hand-made week
  and score both;
- `executable_week`, `week_measures`: the main job's weeks over consecutive weeks, and
  whether each can be carried out as written, measured from its plan JSON;
- `measures`, `tables`, `charts`: the measures in words, CSV/markdown tables and PNG charts.

The other modules here are scripts for single studies (`python -m benchmarks.<name>`).
"""
