"""The headline measures of a plan's quality report (SPEC §6) in words, which way is
better, and how a value is written in a table."""

from __future__ import annotations

# What each headline measure means and which way is better ("-": lower, "+": higher).
MEASURES: dict[str, tuple[str, str]] = {
    "violations": ("hard-rule violations", "-"),
    "objective": ("objective (policy weights)", "-"),
    "hours_off_policy": ("(manager, kind) hours off the policy", "-"),
    "senior_newcomer_pairs": ("senior–newcomer pairs", "+"),
    "repeated_partners": ("partners repeated from history", "-"),
    "pair_km_mean": ("km between paired territories, mean", "-"),
    "pair_km_max": ("km between paired territories, max", "-"),
    "office_pieces_per_day": ("pieces of office time per day", "-"),
    "idle_min": ("idle minutes between blocks", "-"),
    "hours_declared_short": ("(manager, kind) weekly hours declared short", "-"),
    "minutes_declared_short": ("weekly minutes declared short", "-"),
    "minutes_not_owed": ("minutes of blocks a leave takes (not owed)", ""),
    "late_finish_min": ("late-finish minutes", "-"),
    "late_finish_days": ("days with a late finish", "-"),
    "latest_finish": ("latest finish", "-"),
    "workload_std_managers": ("workload std across managers (min)", "-"),
    "workload_range_managers": ("workload max–min across managers (min)", "-"),
    "load_std_days": ("department load std across days (min)", "-"),
    "late_std_managers": ("late-finish std across managers (min)", "-"),
    "route_km": ("route km (recomputed)", "-"),
    "route_travel_min": ("riding minutes (recomputed)", "-"),
    "route_waiting_min": ("waiting minutes at stops (retailers and appointment places)", "-"),
    "stops_per_day": ("visits per route", "+"),
    "stops_min": ("fewest visits in a route", "+"),
    "days_below_stops": ("visit days below the stops a day the policy asks", "-"),
    "unvisited": ("due visits not planned", "-"),
    "timetable_transfers": ("rides the timetable leaves too little time for", "-"),
    "rides_too_short": ("rides between blocks too short (timetable)", "-"),
    "route_figures_disagree": ("routes whose stated km/min disagree", "-"),
    "travel_std_managers": ("riding std across managers (min)", "-"),
    "gap": ("solver gap to bound", "-"),
}


def measure_label(measure: str) -> str:
    """The measure in words (its key when it has none)."""
    return MEASURES.get(measure, (measure, ""))[0]


def format_cell(value: object) -> str:
    """A value as a table shows it: "–" for none, short floats, text as it is."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) >= 100 or value == int(value) else f"{value:.2f}"
    return str(value)


PERCENT_MEASURES = frozenset({"gap"})
"""Measures that are a share (0.0022 = 0.22 %), shown as a percentage."""


def format_measure(measure: str, value: object) -> str:
    """One headline measure as a table shows it: shares as a percentage with two
    decimals (a 0.2 % gap is "0.22%", never "0.00"), everything else as `format_cell`."""
    if measure in PERCENT_MEASURES and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.2%}"
    return format_cell(value)


def better(measure: str, optimised: object, baseline: object) -> str:
    """'better', 'worse' or '' for one measure of two plans."""
    if measure not in MEASURES or optimised is None or baseline is None or optimised == baseline:
        return ""
    direction = MEASURES[measure][1]
    try:
        lower = optimised < baseline  # type: ignore[operator]
    except TypeError:
        return ""
    return "better" if lower == (direction == "-") else "worse"
