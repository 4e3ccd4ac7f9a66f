"""Re-plan the rest of a week from `now`: the situation, the model, the solve from the
repaired old plan, the blocks, the routes and the diff, in that order."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ortools.sat.python import cp_model

from engine.domain import Block, Conflict, Department, HoursShortfall, Status, Timetable
from engine.errors import ModelInvalid
from engine.policy import Policy, ReplanRules, format_clock
from engine.replan.blocks import replanned_blocks
from engine.replan.diff import block_diff
from engine.replan.duties import Staffing, replanned_duties
from engine.replan.events import Event, ManagerSick, PromotionStoreCancelled
from engine.replan.handover import replan_routes
from engine.replan.model import ReplanModel, build_replan_model, repaired_start
from engine.replan.result import LateVisit, ReplanResult, StopChange, UnplacedVisit
from engine.replan.situation import (
    Situation,
    replan_rules,
    situation_at,
    split_where_a_partner_fell_ill,
)
from engine.rules import KIND_RULE
from engine.timetable.hints import complete_hints, hint_from_blocks
from engine.timetable.model import TimetableModel
from engine.timetable.shortfalls import (
    NOT_PROVEN,
    leave_leaves_no_room,
    missed_for_leave,
    short_beside_leave,
    shortfall_proven,
    week_shortfalls,
)
from engine.timetable.solve import STATUS_NAMES, SolveParams
from engine.timetable.week import Quota


def replan(
    department: Department,
    policy: Policy,
    timetable: Timetable,
    now: dt.datetime,
    events: Sequence[Event],
    routes: Mapping[str, Any] | None = None,
    params: SolveParams | None = None,
    *,
    warm: bool = True,
) -> ReplanResult:
    """Re-plan the rest of the week from `now` for `events` (see the package text).

    `routes` is the week's route plan as JSON data (`fieldweek routes --json`); without
    it only the timetable is re-planned and events about retailers are noted.
    `warm=False` leaves out the repaired old plan as the solver's start (to measure
    what the start is worth; the result may then be worse than the old plan).
    A re-planned week is re-planned with its re-plan's events before the new ones
    (`situation.with_earlier_events`); the result lists every event it answered."""
    started = time.perf_counter()
    params = params or SolveParams()
    rules = replan_rules(policy)
    situation = situation_at(department, policy, timetable, now, events)
    notes: list[str] = []
    if situation.week_over is not None:
        notes.append(f"the week is over (its working time ended {situation.week_over}): everything is pinned, "
                     "nothing to re-plan")
    if (last := situation.everyone_off) is not None:
        notes.append(f"every manager is off sick to the end of the week, the last from {last.since}: "
                     "nothing is planned after that, and no department slot is owed when nobody can come")
    notes += _sick_before_now(situation)
    first_notes = len(notes)
    model, start_plan, solver, code = _solve(situation, rules, params, warm, started, notes, keep_hours=True)
    if code == cp_model.INFEASIBLE:
        # The hours kept from the old plan are read from its repair, which cannot see
        # every ride of a new pairing: without them the week may still hold.
        del notes[first_notes:]
        notes.append("the old plan's hours of each kind could not all be kept; the re-plan may trade them")
        model, start_plan, solver, code = _solve(situation, rules, params, warm, started, notes, keep_hours=False)
    status: Status = STATUS_NAMES[code]
    bound = solver.best_objective_bound if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE) and start_plan is not None:
        solver, code, status = start_plan, cp_model.FEASIBLE, "feasible"
    # A duty of a manager the events keep off all week goes to one who is in (SPEC §2).
    staffing = replanned_duties(situation, model.tm.frame)
    notes += staffing.notes
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _no_replan(timetable, staffing, situation.now, events, code == cp_model.INFEASIBLE, params, notes,
                          started, _cut_short_by_no_event(model, situation))

    blocks, place_notes = replanned_blocks(model, solver, situation)
    notes += [note.message for note in place_notes]
    # Read whole, as the model holds them; written split where a partner fell ill.
    shortfalls = _declared_shortfalls(model.tm, blocks, timetable, situation, status, model.prorated)
    blocks = split_where_a_partner_fell_ill(situation, blocks)
    new_timetable = Timetable(status=status, objective=solver.objective_value, best_bound=bound,
                              solve_seconds=round(time.perf_counter() - started, 3), blocks=tuple(blocks),
                              conflicts=timetable.conflicts, shortfalls=shortfalls,
                              **_header(timetable, staffing))
    stop_changes: list[StopChange] = []
    unplaced: list[UnplacedVisit] = []
    late: list[LateVisit] = []
    new_routes = None
    if routes is not None:
        new_routes, stop_changes, unplaced, late, route_notes = replan_routes(situation, new_timetable, routes, rules)
        notes += route_notes
    elif any(not isinstance(e, ManagerSick | PromotionStoreCancelled) for e in events) or situation.absences:
        notes.append("the plan has no routes: visits are not re-planned (give the week's routes with the plan)")
    return ReplanResult(
        week_start=timetable.week_start, now=situation.now, events=tuple(events), status=status, objective=solver.objective_value,
        start_objective=start_plan.objective_value if start_plan is not None else None, best_bound=bound,
        solve_seconds=round(time.perf_counter() - started, 3), timetable=new_timetable, routes=new_routes,
        unplaced=tuple(unplaced), late=tuple(late), diff=block_diff(situation, model.groups, blocks, stop_changes), notes=tuple(notes),
    )


def _sick_before_now(situation: Situation) -> list[str]:
    """A sickness given as begun before `now` changes the week's past: what was planned
    for him from then until `now` was not done, so the re-plan drops it (or cuts it
    where he fell ill), and his partners' sessions of that time stand as held without
    him (situation.py). Said in a note per such manager, with how many of his blocks it
    took, so a past rewritten is never silent (tester d563: m06 ill since Monday 08:00,
    re-planned on Wednesday, lost three days of blocks without a word); what really
    happened before `now` is for the actuals to record."""
    now = situation.now
    moment = f"{now:%a} {now.date().isoformat()} {format_clock(situation.now_minute)}"
    notes = []
    for manager, absence in sorted(situation.absences.items()):
        if (absence.date, absence.minute) >= (situation.today, situation.now_minute):
            continue
        dropped = [old for old, piece in situation.cut if old.manager == manager and piece is None]
        cut = [old for old, piece in situation.cut if old.manager == manager and piece is not None]
        if not dropped and not cut:
            continue
        taken = " and ".join(part for part in (
            f"drops the {len(dropped)} block(s) planned for him from then until now" if dropped else "",
            f"cuts {len(cut)} where he fell ill" if cut else "") if part)
        others = (", and the sessions he shared then stand as held without him"
                  if any(old.with_ for old in dropped + cut) else "")
        notes.append(f"{manager} off sick from {absence.since}, before now ({moment}): the re-plan takes his work "
                     f"of that time as not done and {taken}{others}; record what really happened before now "
                     "in actuals")
    return notes


def _solve(situation: Situation, rules: ReplanRules, params: SolveParams, warm: bool, started: float,
           notes: list[str], *, keep_hours: bool) -> tuple[ReplanModel, cp_model.CpSolver | None,
                                                           cp_model.CpSolver, cp_model.CpSolverStatus]:
    """Build the re-plan's model, start it from the repaired old plan when `warm`, and
    solve it in what is left of the time limit."""
    model = build_replan_model(situation, rules, keep_hours=keep_hours)
    notes += model.notes
    start_plan = None
    if warm:
        hint_from_blocks(model.tm, repaired_start(situation, model.groups, model.cancelled_kinds))
        start_plan = complete_hints(model.tm, params.budget.warm_start_hint_s)
        if start_plan is None:
            notes.append("the old plan could not be repaired into a start; the solver started from scratch")
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.5, params.time_limit_s - (time.perf_counter() - started))
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    code = solver.solve(model.tm.cp)
    if code == cp_model.MODEL_INVALID:
        raise ModelInvalid(model.tm.cp.validate())
    return model, start_plan, solver, code


def _header(timetable: Timetable, staffing: Staffing) -> dict[str, Any]:
    """The re-planned timetable's fields of the week: the plan's, with the duties as the
    events leave them staffed."""
    return {"department": timetable.department, "policy": timetable.policy, "week_start": timetable.week_start,
            "managers": timetable.managers, "duties": staffing.duties, "unfilled_duties": staffing.unfilled}


def _cut_short_by_no_event(model: ReplanModel, situation: Situation) -> list[Block]:
    """Blocks of the plan before `now` of a length the policy does not allow that no
    sickness of these events cut (it would end where his absence begins): the pieces an
    earlier re-plan left of work a manager fell ill in, when the plan is a re-planned
    week given without that re-plan's events (or a plan edited by hand)."""
    def cut_by_these_events(block: Block) -> bool:
        absence = situation.absences.get(block.manager)
        return absence is not None and (absence.date, absence.minute) == (block.date, block.end)

    return [b for b in model.outside if b.kind in situation.policy.kinds and not cut_by_these_events(b)]


def _refusal(infeasible: bool, params: SolveParams, cut_short: Sequence[Block]) -> Conflict:
    """Why no week was found, and what to do: a plan whose past holds blocks cut short
    is most likely a re-planned week, whose sicknesses and closures are facts of the
    week the new events do not repeat (without them the pieces break the policy's rules
    and the sick manager counts as in)."""
    if not infeasible:
        return Conflict(rules=(), message=f"no re-plan found within {params.time_limit_s:g} s; allow more time")
    if not cut_short:
        return Conflict(rules=(), message="the pinned plan and the events leave no valid week")
    pieces = ", ".join(f"{b.manager}'s {b.kind} on {b.date:%a} {b.date.isoformat()} {format_clock(b.start)}-"
                       f"{format_clock(b.end)} ({b.end - b.start} min)" for b in cut_short)
    return Conflict(
        rules=tuple(sorted({KIND_RULE.get(b.kind, b.kind) for b in cut_short})),
        message=f"the pinned plan and the events leave no valid week: the plan's past holds blocks of a length "
                f"the policy does not allow and no sickness of these events cut ({pieces}), as a re-plan "
                "leaves the work a manager fell ill in. If the plan is a re-planned week, give the re-plan's "
                "whole result as the plan (its events are carried into the new re-plan), or give that re-plan's "
                "events again with the new ones (its sicknesses and closures are facts of the week)")


def _no_replan(timetable: Timetable, staffing: Staffing, now: dt.datetime, events: Sequence[Event], infeasible: bool,
               params: SolveParams, notes: list[str], started: float, cut_short: Sequence[Block] = ()) -> ReplanResult:
    """The answer when the solve found no week: infeasible, or out of time."""
    conflict = _refusal(infeasible, params, cut_short)
    message = conflict.message
    failed = Timetable(status="infeasible" if infeasible else "unknown",
                       conflicts=(conflict,), **_header(timetable, staffing))
    return ReplanResult(week_start=timetable.week_start, now=now, events=tuple(events), status=failed.status, solve_seconds=round(time.perf_counter() - started, 3),
                        timetable=failed, notes=(*notes, message))



def _declared_shortfalls(tm: TimetableModel, blocks: list[Block], old: Timetable, situation: Situation,
                         status: Status, prorated: Mapping[tuple[str, str], Quota] | None = None,
                         ) -> tuple[HoursShortfall, ...]:
    """The weekly hours the re-planned week lacks, with amounts: why the old plan said it
    lacked them when it did (the rides), else what the events took: the sickness of the
    manager or of a partner, from when he is off (the words of the diff), or the events
    from `now`; and that the rest of the week has no room for them only when the solve
    proved it (`shortfall_proven`), else, as the week planner says, that more time may
    find a week that keeps them (`NOT_PROVEN`). A kind whose model quota was raised to
    the old plan's hours (`prorated`, model._cover_kept_quotas) is short only of what the
    prorated quota owes."""
    # A daily block the leave leaves no room for is not weekly hours: its words are not these.
    reasons = {(s.manager, s.kind): s.reason for s in old.shortfalls if not s.not_owed}
    now = situation.now
    moment = f"{now:%a} {now.date().isoformat()} {format_clock(now.hour * 60 + now.minute)}"

    def events(manager: str) -> str:
        partners = {p for b in old.blocks if b.manager == manager
                    and (rule := tm.policy.kinds.get(b.kind)) is not None and rule.group == "pair" for p in b.with_}
        sick = [situation.absences[m] for m in sorted({manager} | partners) if m in situation.absences]
        return " and ".join(f"{a.manager} off sick from {a.since}" for a in sick) or f"the events from {moment}"

    def reason(s: HoursShortfall) -> str:
        if situation.week_over is not None:
            return f"{events(s.manager)} took it and the week is over (its working time ended {situation.week_over})"
        if shortfall_proven(status, s.minutes_short, None):
            # Beside the old plan's hours of other kinds, which the re-plan keeps rather than
            # trades (model._floors): a pair's lost session beside a Friday of office work.
            return (f"{events(s.manager)} took it and the rest of the week has no room for it beside the "
                    "other work it keeps")
        return f"{events(s.manager)} took it; {NOT_PROVEN}"

    weekly = tuple(s.model_copy(update={"reason": reasons.get((s.manager, s.kind)) or reason(s)})
                   for s in _owed(week_shortfalls(tm, blocks), blocks, prorated or {}))
    # The daily blocks and meetings the leave takes stay declared, as the week planner
    # declares them (a re-plan without them dropped every such line of the plan).
    beside = [s for s in short_beside_leave(tm, blocks) if s.not_owed]
    return weekly + tuple(leave_leaves_no_room(tm) + beside + missed_for_leave(tm, blocks))


def _owed(found: list[HoursShortfall], blocks: Sequence[Block],
          prorated: Mapping[tuple[str, str], Quota]) -> list[HoursShortfall]:
    """The shortfalls measured against what the week owes: a kind whose model quota was
    raised above its prorated one is short only of the prorated one (else not at all)."""
    out = []
    for s in found:
        quota = prorated.get((s.manager, s.kind))
        if quota is not None:
            mine = [b for b in blocks if b.manager == s.manager and b.kind == s.kind]
            s = s.model_copy(update={"minutes_short": max(0, quota.total_minutes - sum(b.end - b.start for b in mine)),
                                     "sessions_short": max(0, quota.sessions_min - len(mine))})
        if s.minutes_short or s.sessions_short:
            out.append(s)
    return out
