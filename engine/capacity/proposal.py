"""What would make the week fit (SPEC §4, §6 "every retailer due is visited"):
concrete changes a market manager can accept, each with the minutes it frees.

Three kinds of change, all on named retailers, never on a key customer (class A):
- **move** a retailer to a neighbouring manager with spare minutes: the nearest
  manager by territory centre (within the policy's `capacity.neighbour_max_km` of
  the retailer) whose spare minutes take the retailer's visits with their riding;
  when nothing else is left (every other change below used up), the nearest manager
  with spare minutes up to `capacity.far_move_max_km` away, his ride there and back
  from his nearest due place counted in the minutes he takes on (a far territory's
  last lever: a town manager's idle hour reaches one more countryside shop);
- **lower** a retailer's `visits_per_4_weeks`, only for the classes the policy's
  `capacity.lowerable_classes` lists, in its order (the shipped policies: C, then B
  only when no move or C lowering is left; the policy refuses class A: key customers
  keep their frequency), never below `capacity.min_visits_per_4_weeks`, and only as
  far as takes a visit out of this week (`engine.routing.due`'s rule);
- **call** a retailer of the policy's `capacity.phone_classes` instead of visiting it
  for the cycle (电话拜访, SPEC §2: the phone slot is for retailers' orders), where a
  far territory has no neighbour with spare minutes and its frequencies are already at
  their floor: its visits leave this field week (`apply_changes`; the applied folder keeps
  its frequency and records the call in its row, `folder_department`) and take
  `capacity.phone_call_minutes` each of the manager's weekly
  `capacity.phone_kind` minutes, which bound how many he can call. When his own slot
  is full, a colleague whose week is not short and whose slot has minutes left makes
  the call (the nearest such colleague; the retailer stays with its manager). A store
  where its manager holds a block of the week's timetable is never called: he stands
  in it that week (`held_at`, `fit.stores_held_at`). A class
  is called only once it can be lowered no further, and before the next class is
  lowered (the shipped 15-13-7: move, lower C, call C, call C from a colleague's
  slot, lower B, call B likewise, then a move beyond the neighbours).

Which managers give visits up and how many minutes: a manager whose routes left due
visits out for lack of room (a visit too far to reach, or one its opening hours or the
route's rules keep out, is not mended by cutting others: `figures.MENDED_BY_ROOM`; the
loop names it), or whose need eats into his margin, frees at least the minutes left out
and enough to bring his need under his visit blocks less the margin
(`kept_free`: the policy's `capacity.margin_percent` of them, at least
`capacity.margin_min` minutes); a receiver takes visits only into the minutes left
after that same margin. The margin is there because routes never pack a day to the
minute, and a fresh plan of the changed week packs it differently again.

Leave is not a lack of capacity (SPEC §3): the changes are for good, a leave is for a
week. A manager on leave every working day of the week neither frees nor takes minutes:
his visits are the week's hand-over to his neighbours (the routes'), not a reason to move
his retailers or call them in a phone slot he does not have that week; those the routes'
neighbour had no room for are handed over for the week to another with spare minutes
(`hand_over_away`, recorded as below). A manager on leave
some of the days is measured against the room a full week of his gives (his visit minutes
scaled by working days over days at work, less the margin, `room_after_margin`): only
what a full week could not hold is freed for good; the visits his days at work leave out
for lack of room are **handed over** for that week only (`hand_over`): each to the
nearest neighbour whose spare minutes take it (as a move chooses its receiver, the same
retailers excepted), the retailer keeping its manager and frequency in the applied
folder, the week and the neighbour recorded in its row (`folder_department`). The
routes hand over only the visits of a manager away all week; without this, the visits
of one away three days of four stayed out while a neighbour idled (tester, e1 week of
2026-12-14: m05 8 visits out, m01 481 min spare). His days at work keep the margin like
anyone's: when they need more than their minutes less the margin — a visit left out that
stays with him (a POS-target household) among them —, other retailers of his are handed
over until they keep it, which makes that visit room (tester, d12 week of 2026-11-30:
m03's R03019 stayed out, "no neighbour has spare minutes", m02 673 min spare 2 km off).
His need counts the visits the routes handed to colleagues (`figures`, hand-over), so the
proposal records that hand-over for the week; one an applied proposal already recorded
(`handed_over_week`) is neither freed nor handed over again (`_less_applied_hand_over`).

How the changes are chosen: the proposal touches as few retailers as it can. For
one manager with nothing but a number of minutes to free, taking the changes that
free the most minutes first is exactly minimal in retailers touched (the k largest
changes free more than any other k); the last change is the smallest one that covers
what is left, so the proposal frees no more than it must. Receivers' spare minutes
make it a packing problem in general; the greedy stays within one change of the
optimum on the cases measured, is instant and explains itself, so no solver is used.
A move is preferred to a lowering that frees as much: the retailer keeps its visits.
Pure: reads no file and prints nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from engine.capacity.figures import ManagerCapacity, WeekCapacity, nearest_ride_minutes
from engine.domain import HANDED_OVER_TO, HANDED_OVER_WEEK, Department, Retailer
from engine.errors import InputError, Problem
from engine.policy import CapacityRules, Policy
from engine.routing.daily import service_minutes
from engine.routing.due import due_retailers, due_with_carry_over, most_in_week, visits_in_week
from engine.routing.matrix import great_circle_km
from engine.routing.plan import PHONE_CALL_WEEK, PHONE_CALLED_BY, handed_for_the_week

ChangeKind = Literal["move", "lower_frequency", "by_phone", "hand_over"]

KEY_CLASS = "A"
"""Key customers (SPEC §4, the 20/80 rule): no change touches them, neither their
frequency nor their manager (the policy refuses `[capacity]` rules that would)."""


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Change(_Out):
    """One change to one retailer, with the minutes it frees its manager this week."""

    kind: ChangeKind
    retailer: str
    name: str
    retailer_class: str
    manager: str
    to_manager: str | None = None
    visits_per_4_weeks: int
    new_visits_per_4_weeks: int
    visits_freed: int
    minutes_freed: int
    minutes_added: int = 0
    km_to_centre: float | None = None
    round: int = 1
    beyond_neighbours: bool = False
    called_by: str | None = None
    """A colleague whose phone slot makes the call, when the manager's own is full."""
    """A move past `capacity.neighbour_max_km`, made only when no other change was left."""


class Proposal(_Out):
    """The changes, how many retailers they touch, and what no allowed change could free."""

    week_start: dt.date
    margin_percent: float
    changes: tuple[Change, ...] = ()
    retailers_touched: int = 0
    minutes_freed: int = 0
    still_short: dict[str, int] = {}
    why_short: dict[str, str] = {}
    """For each manager in `still_short`, which levers were used up, in words."""

    def merged(self, later: Proposal) -> Proposal:
        """This proposal followed by `later` (a further round)."""
        changes = (*self.changes, *later.changes)
        return later.model_copy(update={
            "changes": changes, "retailers_touched": len({c.retailer for c in changes}),
            "minutes_freed": sum(c.minutes_freed for c in changes),
        })


def capacity_rules(policy: Policy) -> CapacityRules:
    """The policy's `[capacity]` section; an InputError when it has none."""
    if policy.capacity is None:
        raise InputError([Problem(f"policy {policy.name} has no [capacity] section: add margin_percent, "
                                  "lowerable_classes, min_visits_per_4_weeks, neighbour_max_km and "
                                  "max_rounds to propose changes", file=policy.name, column="capacity")])
    return policy.capacity


def room_after_margin(figures: ManagerCapacity, rules: CapacityRules) -> int | None:
    """The minutes a manager's week holds for visits after the margin (`kept_free`), a
    week with leave days scaled up to the full week his days at work stand for (module
    text); None for a manager on leave all week (no room to measure)."""
    if figures.away_all_week:
        return None
    available = figures.available_min
    at_work = figures.working_days - figures.leave_days
    if figures.leave_days and at_work > 0:
        available = math.floor(available * figures.working_days / at_work)
    return available - kept_free(rules, available)


def kept_free(rules: CapacityRules, available_min: int) -> int:
    """Minutes of a manager's visit blocks a proposal keeps free: the policy's
    `margin_percent` of them, at least its `margin_min`, never more than there are."""
    return min(max(math.ceil(rules.margin_percent / 100 * available_min), rules.margin_min), available_min)


def propose_changes(
    department: Department,
    policy: Policy,
    capacity: WeekCapacity,
    *,
    carried: Mapping[str, int] | None = None,
    keep: Collection[str] = (),
    round_number: int = 1,
    exempt: Collection[str] = (),
    earlier: Collection[Change] = (),
    left_out: Collection[str] = (),
    held_at: Collection[str] = (),
) -> Proposal:
    """The fewest changes that free every overloaded manager's excess minutes of the
    week `capacity` describes (module docstring). Retailers in `keep` or changed by
    `earlier` (an earlier round, already made in `department`) are not touched again,
    and earlier calls hold their phone minutes. Every manager keeps the margin: one whose
    need eats into it frees the rest, even with nothing left out (a fresh plan packs his
    days differently), except those in `exempt` (who only took retailers in an earlier
    round, into the minutes the margin left them). A manager on leave part of the week hands
    over only the retailers the routes left out, when `left_out` names them. A store in
    `held_at` (its manager holds a block of the week's timetable there) is not called
    instead of visited: he stands in it that week."""
    rules = capacity_rules(policy)
    capacity = _less_applied_hand_over(capacity)
    excess, spare, leave_out = _excess_and_spare(capacity, rules, set(exempt))
    keep = {*keep, *(c.retailer for c in earlier), *handed_for_the_week(department, capacity.week_start)}
    context = _Context(department, policy, rules, capacity, _due_visits(department, policy, capacity, carried),
                       department.territory_centres(), spare, keep, round_number,
                       _phone_minutes(department, policy, rules, capacity.week_start, earlier),
                       set(held_at))
    changes: list[Change] = []
    still_short: dict[str, int] = {}
    why_short: dict[str, str] = {}
    for manager in sorted(excess, key=lambda m: -excess[m]):
        left = context.free(manager, excess[manager], changes)
        if left > 0:
            still_short[manager] = left
            why_short[manager] = context.levers_used_up(manager, left_out)
    for manager in sorted(leave_out, key=lambda m: -leave_out[m]):
        if capacity.manager(manager).away_all_week:
            left = context.hand_over_away(manager, changes, set(left_out))
        else:
            left = context.hand_over(manager, leave_out[manager], changes, set(left_out))
        if left > 0:
            still_short[manager] = left
            why_short[manager] = context.why_not_handed(manager, changes, set(left_out))
    return Proposal(
        week_start=capacity.week_start, margin_percent=rules.margin_percent, changes=tuple(changes),
        retailers_touched=len({c.retailer for c in changes}),
        minutes_freed=sum(c.minutes_freed for c in changes), still_short=still_short, why_short=why_short,
    )




def apply_changes(department: Department, changes: Collection[Change]) -> Department:
    """The department of the week with every change made (moved and handed-over retailers
    get their new manager, lowered ones their new frequency, called ones no visit: this
    week's plan does not visit them). The folder `--apply` writes is `folder_department`."""
    by_retailer = {c.retailer: c for c in changes}
    retailers = []
    for retailer in department.retailers:
        change = by_retailer.get(retailer.id)
        if change is not None:
            retailer = retailer.model_copy(update={
                "manager": change.to_manager or retailer.manager,
                "visits_per_4_weeks": 0 if change.kind == "by_phone" else change.new_visits_per_4_weeks,
            })
        retailers.append(retailer)
    return department.model_copy(update={"retailers": tuple(retailers)})


def folder_department(department: Department, changes: Collection[Change], week_start: dt.date) -> Department:
    """The department as the applied folder holds it: moves and lowerings made for good; a
    retailer called instead of visited keeps its frequency, so it is never below the
    policy's `min_visits_per_4_weeks` and later weeks visit it again (the call stands for
    this cycle's visit, not for good), and its row records the call: `phone_call_week`
    (the week's Monday) and `phone_called_by` (who calls). The due rule reads frequencies
    only, so a plan of that same week made from the folder lists the called visit as due.
    A retailer handed over for the week of a leave keeps its manager likewise, its row
    recording the week and the neighbour (`handed_over_week`, `handed_over_to`)."""
    calls = {c.retailer: c for c in changes if c.kind == "by_phone"}
    handed = {c.retailer: c for c in changes if c.kind == "hand_over"}
    week = apply_changes(department, [c for c in changes if c.kind not in ("by_phone", "hand_over")])
    monday = week_start - dt.timedelta(days=week_start.weekday())
    if not calls and not handed:
        return week
    retailers = []
    for retailer in week.retailers:
        # Every row has the columns (empty but where a change is recorded): it loads back as written.
        extra = {**({PHONE_CALL_WEEK: "", PHONE_CALLED_BY: ""} if calls else {}),
                 **({HANDED_OVER_WEEK: "", HANDED_OVER_TO: ""} if handed else {}), **retailer.extra}
        call = calls.get(retailer.id)
        if call is not None:
            extra.update({PHONE_CALL_WEEK: monday.isoformat(), PHONE_CALLED_BY: call.called_by or call.manager})
        hand = handed.get(retailer.id)
        if hand is not None and hand.to_manager is not None:
            extra.update({HANDED_OVER_WEEK: monday.isoformat(), HANDED_OVER_TO: hand.to_manager})
        retailers.append(retailer.model_copy(update={"extra": extra}))
    return week.model_copy(update={"retailers": tuple(retailers)})


def _phone_minutes(department: Department, policy: Policy, rules: CapacityRules, monday: dt.date,
                   earlier: Collection[Change] = ()) -> dict[str, int]:
    """Each manager's weekly minutes of the policy's phone kind, less the calls earlier
    rounds gave him (`earlier`'s calls, by whoever makes them; without them, the calls
    of this week the folder's rows record, `folder_department`)."""
    if not rules.phone_classes or rules.phone_kind is None or rules.phone_call_minutes is None:
        return {}
    weekly = policy.kinds[rules.phone_kind].weekly_minutes(policy.working_days)
    minutes = {m.id: weekly for m in department.managers}
    if earlier:
        for change in earlier:
            if change.kind == "by_phone":
                caller = change.called_by or change.manager
                minutes[caller] = minutes.get(caller, weekly) - change.minutes_added
        return minutes
    for retailer in department.retailers:
        if retailer.extra.get(PHONE_CALL_WEEK) == monday.isoformat():
            caller = retailer.extra.get(PHONE_CALLED_BY) or retailer.manager
            if caller in minutes:
                minutes[caller] -= rules.phone_call_minutes
    return minutes


def _less_applied_hand_over(capacity: WeekCapacity) -> WeekCapacity:
    """The figures without the minutes of the visits an applied proposal already handed
    over for the week (`ManagerCapacity.handed_over_applied_min`): a proposal made on an
    applied folder frees only what is left, and never hands those retailers over again."""
    if not any(m.handed_over_applied_min for m in capacity.managers):
        return capacity
    managers = []
    for m in capacity.managers:
        need = m.need_min - m.handed_over_applied_min
        managers.append(m.model_copy(update={
            "need_min": need, "shortfall_min": max(need - m.available_min, 0),
            "spare_min": max(m.available_min - need, 0)}) if m.handed_over_applied_min else m)
    return capacity.model_copy(update={"managers": tuple(managers)})


def _excess_and_spare(capacity: WeekCapacity, rules: CapacityRules, exempt: Collection[str] = (),
                      ) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Minutes each overloaded manager (or one into his margin, unless `exempt`) must
    free, each other manager's spare minutes, both after the margin (`kept_free`), and the
    minutes of the visits a manager on leave part of the week left out for lack of room
    (handed over for the week, module text)."""
    excess: dict[str, int] = {}
    spare: dict[str, int] = {}
    leave_out: dict[str, int] = {}
    for figures in capacity.managers:
        full_room = room_after_margin(figures, rules)
        if full_room is None:  # on leave all week: neither frees nor takes for good (module text)
            if figures.unplanned_min:  # what his neighbours' routes left out is handed over for the week
                leave_out[figures.manager] = figures.unplanned_min
            continue
        room = figures.available_min - kept_free(rules, figures.available_min)
        if figures.leave_days:  # what the days away leave out is the week's hand-over
            mended_out = figures.unplanned_min if figures.unplanned_visits > figures.unmendable_visits else 0
            if figures.need_min > full_room and figures.manager not in exempt:
                excess[figures.manager] = math.ceil(figures.need_min - full_room)
            elif mended_out or (figures.need_min > room and figures.manager not in exempt):
                # His days at work keep the margin too: what they need past it is handed over.
                leave_out[figures.manager] = max(mended_out, math.ceil(figures.need_min - room))
            else:
                spare[figures.manager] = max(math.floor(room - figures.need_min), 0)
            continue
        into_margin = figures.manager not in exempt and figures.need_min > room
        # A visit left out for a reason more room does not mend (too far, opening hours) is
        # not freed for: cutting his other visits would not place it (`figures.MENDED_BY_ROOM`).
        mendable = figures.unplanned_visits - figures.unmendable_visits
        if mendable or figures.need_min > figures.available_min or into_margin:
            excess[figures.manager] = max(math.ceil(figures.need_min - room), figures.unplanned_min, 0)
        else:
            spare[figures.manager] = max(math.floor(room - figures.need_min), 0)
    return excess, spare, leave_out


def _due_visits(department: Department, policy: Policy, capacity: WeekCapacity,
                carried: Mapping[str, int] | None) -> dict[str, int]:
    """Visits due this week per retailer, as the routes count them (at most one a working day)."""
    due = (due_with_carry_over(department, capacity.week_start, carried, policy=policy) if carried
           else due_retailers(department, capacity.week_start, policy=policy))
    return {item.retailer.id: item.visits for item in due}


@dataclass
class _Context:
    """What choosing the changes of one proposal reads and updates."""

    department: Department
    policy: Policy
    rules: CapacityRules
    capacity: WeekCapacity
    due: dict[str, int]
    centres: dict[str, tuple[float, float]]
    spare: dict[str, int]
    touched: set[str]
    round_number: int
    phone_minutes: dict[str, int]
    held_at: set[str]
    """Stores where their manager holds a block this week: never called (`_call`)."""

    def free(self, manager: str, minutes: int, changes: list[Change]) -> int:
        """Add changes freeing `minutes` of `manager`'s week; returns what is left unfreed."""
        while minutes > 0:
            candidates = self._candidates(manager)
            if not candidates:
                break
            # Moves and the first lowerable class come first; a later class only when none is left.
            first_tier = min(self._tier(c) for c in candidates)
            candidates = [c for c in candidates if self._tier(c) == first_tier]
            covering = [c for c in candidates if c.minutes_freed >= minutes]
            chosen = (min(covering, key=_smallest_first) if covering
                      else max(candidates, key=_largest_first))
            changes.append(chosen)
            self.touched.add(chosen.retailer)
            if chosen.to_manager is not None:
                self.spare[chosen.to_manager] -= chosen.minutes_added
            if chosen.kind == "by_phone":
                self.phone_minutes[chosen.called_by or manager] -= chosen.minutes_added
            minutes -= chosen.minutes_freed
        return max(minutes, 0)

    def hand_over(self, manager: str, minutes: int, changes: list[Change], left_out: Collection[str] = ()) -> int:
        """Add week hand-overs of `manager`'s due retailers to neighbours with spare minutes
        until `minutes` are freed (a manager on leave part of the week, module text); returns
        what is left unfreed. Given `left_out`, the retailers the routes left out first (each
        handed over places its own visit); then, while his days at work need more than their
        minutes less the margin, others of his, the fewest (a left-out POS-target household
        keeps its manager, but a shop handed over beside it on his full day makes it room:
        tester, d12 2026-11-30, R03019). Not for a visit room does not place (one due more
        often than he has days at work: a retailer is visited once a day; tester e1,
        R05007), nor when the figures say his days hold what is left out: another retailer
        handed over would only take a visit from him for nothing. Without `left_out`, any
        of his, chosen as `free` chooses."""
        if not left_out:
            return max(minutes - self._hand_over_retailers(manager, minutes, changes), 0)
        his_out = {r.id for r in self.department.territory(manager) if r.id in left_out}
        freed = self._hand_over_retailers(manager, minutes, changes, only=his_out)
        unplaceable = self._beyond_days_at_work(manager, his_out - self.touched)
        over = self._over_margin(manager) - freed - unplaceable
        if over <= 0:
            return max(minutes - freed, 0)
        over_left = over - self._hand_over_retailers(manager, over, changes)
        return min(max(minutes - freed, 0), unplaceable + max(over_left, 0))

    def hand_over_away(self, manager: str, changes: list[Change], left_out: Collection[str]) -> int:
        """Hand over, for the week, each visit of a manager on leave all week that the
        routes' hand-over (to the neighbour nearest each retailer) left out for lack of room
        (`left_out`), to the nearest neighbour whose spare minutes take it, as `hand_over`
        does (tester, d519C week of 2026-12-07: m02's 8 visits stayed out at m03 and m06
        while m01 and m07, within the distance, had 286 and 257 min spare). Nothing else of
        his is changed: a week's leave is not a lack of capacity. Returns the minutes of
        those visits no neighbour takes."""
        retailers = {r.id: r for r in self.department.territory(manager) if r.id in left_out}
        minutes = sum(self.due.get(rid, 0) * self._visit_minutes(r, manager) for rid, r in retailers.items())
        freed = self._hand_over_retailers(manager, minutes, changes, only=set(retailers), away_all_week=True)
        return max(minutes - freed, 0)

    def _hand_over_retailers(self, manager: str, minutes: int, changes: list[Change],
                             only: Collection[str] | None = None, away_all_week: bool = False) -> int:
        """Hand over `manager`'s due retailers (those in `only`, when given) for the week,
        the fewest that free `minutes`, chosen as `free` chooses; returns the minutes freed.
        For a manager `away_all_week` a POS-target household or promotion store goes too:
        he holds no session there that week, and the routes hand it to a neighbour anyway."""
        freed = 0
        while freed < minutes:
            candidates = []
            for retailer in self.department.territory(manager):
                visits = self.due.get(retailer.id, 0)
                if visits and retailer.id not in self.touched and (only is None or retailer.id in only):
                    move = self._move(retailer, visits, away_all_week=away_all_week)
                    if move is not None:
                        candidates.append(move.model_copy(update={"kind": "hand_over"}))
            if not candidates:
                break
            covering = [c for c in candidates if c.minutes_freed >= minutes - freed]
            chosen = min(covering, key=_smallest_first) if covering else max(candidates, key=_largest_first)
            changes.append(chosen)
            self.touched.add(chosen.retailer)
            if chosen.to_manager is not None:
                self.spare[chosen.to_manager] -= chosen.minutes_added
            freed += chosen.minutes_freed
        return freed

    def _over_margin(self, manager: str) -> int:
        """Minutes the manager's days at work this week need past their visit minutes less
        the margin (`kept_free`); zero or less when they keep it."""
        figures = self.capacity.manager(manager)
        return math.ceil(figures.need_min - figures.available_min + kept_free(self.rules, figures.available_min))

    def _visit_days(self, manager: str) -> int:
        return sum(1 for day in self.capacity.manager(manager).days if day.available_min > 0)

    def _beyond_days_at_work(self, manager: str, retailer_ids: Collection[str]) -> int:
        """Minutes of the retailers' visits due more often than the manager has visit days
        this week: a retailer is visited once a day, so no room places them."""
        days = self._visit_days(manager)
        retailers = {r.id: r for r in self.department.territory(manager)}
        return sum(max(self.due.get(rid, 0) - days, 0) * self._visit_minutes(retailers[rid], manager)
                   for rid in retailer_ids if rid in retailers)

    def why_not_handed(self, manager: str, changes: Collection[Change], left_out: Collection[str]) -> str:
        """Why `hand_over` left minutes of a manager on leave part of the week unfreed, in
        words (the proposal's `why_short`), naming what blocks: a retailer that keeps its
        manager, no manager with spare minutes within the neighbour distance, neighbours'
        spare minutes too few, a visit due more often than his days at work, or his days
        holding what is left out by the figures."""
        km = self.rules.neighbour_max_km
        retailers = [r for r in self.department.territory(manager) if self.due.get(r.id)]
        still_out = [r for r in retailers if r.id in left_out and r.id not in self.touched]
        if self.capacity.manager(manager).away_all_week:
            return (f"on leave all week: {', '.join(r.id for r in still_out)} left out by the neighbours the "
                    f"routes handed them to, and no other takes them: "
                    f"{self._why_not_moved(still_out, away_all_week=True)}")
        days = self._visit_days(manager)
        words = []
        for retailer in still_out:
            said = f"{retailer.id} left out stays with him: {self._why_not_moved([retailer])}"
            if self.due[retailer.id] > days:
                said += (f"; it is due {self.due[retailer.id]} times and he has {days} visit day(s) this week, "
                         "a retailer is visited once a day")
            words.append(said)
        freed = sum(c.minutes_freed for c in changes if c.manager == manager)
        over = self._over_margin(manager) - freed - self._beyond_days_at_work(manager, {r.id for r in still_out})
        if over > 0:
            others = [r for r in retailers if r.id not in self.touched and r.id not in left_out]
            words.append(f"his days at work need {over} min past their margin and no other retailer of his can be "
                         "handed over: " + (self._why_not_moved(others) if others else "none is left"))
        elif still_out:
            figures = self.capacity.manager(manager)
            words.append(f"by the figures his days at work hold {_them(still_out)} ({figures.need_min - freed} of "
                         f"{figures.available_min} min needed, {kept_free(self.rules, figures.available_min)} "
                         "kept free), so no other retailer of his is handed over for them")
        if not words:
            words.append(f"no neighbour within {km:g} km takes his visits")
        return "on leave part of the week: " + "; ".join(words)

    def _why_not_moved(self, retailers: Collection[Retailer], away_all_week: bool = False) -> str:
        """What keeps these retailers from a neighbour (`_move`), in words: each keeps its
        manager, no manager with spare minutes has his territory centre within the neighbour
        distance, or those who do have too few spare minutes for them."""
        km = self.rules.neighbour_max_km
        movable = [r for r in retailers if _keeps_manager(r, away_all_week) is None]
        if not movable:
            kinds = sorted({kind for r in retailers if (kind := _keeps_manager(r, away_all_week)) is not None})
            if len(retailers) == 1:
                return f"{kinds[0]} keeps its manager"
            return f"each is {' or '.join(kinds)}, which keep their manager"
        near = sorted({m for r in movable for m in self.spare if self._km_to_centre(r, m) <= km})
        if not near:
            return f"no manager with spare minutes has his territory centre within {km:g} km of {_them(movable)}"
        spare = ", ".join(f"{m} {max(self.spare[m], 0)} min" for m in near)
        return (f"the managers within {km:g} km have too few spare minutes after their margin for "
                f"{_them(movable)} ({spare})")

    def levers_used_up(self, manager: str, left_out: Collection[str] = ()) -> str:
        """Why no further change frees the manager's minutes, in words (the proposal's
        `why_short`): first what keeps the visits the routes left out (`left_out`, one id a
        visit) with him, when each keeps its manager, beside the neighbours' spare minutes as
        the figures show them (`ManagerCapacity.spare_min`); then which of the module's
        levers are used up. "No manager has spare minutes" is said only when none within
        reach has any (tester d10 2026-11-30: m03's 9 class-A visits out, his other
        retailers changed already, was blamed on the neighbours while m01 had 196 min spare,
        m02 284, m05 303, m10 556)."""
        rules = self.rules
        untouched = [r for r in self.department.territory(manager) if self.due.get(r.id) and r.id not in self.touched]
        out = [r for r in untouched if r.id in left_out]
        reasons = []
        if out and all(_keeps_manager(r) is not None for r in out):
            reasons.append(self._left_out_kept(manager, out, left_out))
        reasons.append(self._moves_used_up(manager, untouched))
        if rules.lowerable_classes:
            reasons.append(f"his class {'/'.join(rules.lowerable_classes)} retailers due this week are at "
                           f"{rules.min_visits_per_4_weeks} visit(s) per 4 weeks, changed already, or still "
                           "due this week at any lower frequency")
        if rules.phone_kind is not None and rules.phone_classes:
            reasons.append(self._phone_used_up(manager))
        if not any(r.retailer_class == KEY_CLASS for r in out):
            reasons.append("class-A retailers keep their visits")
        return "; ".join(reasons)

    def _left_out_kept(self, manager: str, out: Collection[Retailer], left_out: Collection[str]) -> str:
        """The visits left out, each of a retailer that keeps its manager, and the managers
        with spare minutes within the neighbour distance of them."""
        ids = {r.id for r in out}
        visits = sum(1 for rid in left_out if rid in ids)
        km = self.rules.neighbour_max_km
        near = self._spare_within(manager, out, km)
        spare = (f"neighbours with spare minutes: {', '.join(f'{m} {minutes} min' for m, minutes in near)}" if near
                 else f"no manager within {km:g} km has spare minutes")
        if all(r.retailer_class == KEY_CLASS for r in out):
            return (f"the {visits} visit(s) left out are class {KEY_CLASS} customers, which the policy keeps with "
                    f"their manager and at their frequency (no move takes a key customer; "
                    f"capacity.lowerable_classes and capacity.phone_classes never hold {KEY_CLASS}); {spare}")
        return f"the {visits} visit(s) left out are of retailers that keep their manager ({_kinds(out)}); {spare}"

    def _moves_used_up(self, manager: str, untouched: Collection[Retailer]) -> str:
        """Why no retailer of his moves: none is left that may (each keeps its manager or
        was changed already), no manager within reach has spare minutes, or those who do
        (their figures' spare minutes named) have too few once their margin is kept."""
        rules = self.rules
        movable = [r for r in untouched if _keeps_manager(r) is None]
        kept = [r for r in untouched if _keeps_manager(r) is not None]
        if not movable:
            return ("no retailer of his due this week is left to move: "
                    + (f"{_kinds(kept)} keep their manager, the rest changed already" if kept
                       else "each was changed already"))
        far = f" (nor up to {rules.far_move_max_km:g} km)" if rules.far_move_max_km else ""
        stay = f"; {_kinds(kept)} keep their manager" if kept else ""
        near = self._spare_within(manager, movable, rules.far_move_max_km or rules.neighbour_max_km)
        if not near:
            return (f"no manager within {rules.neighbour_max_km:g} km{far} has spare minutes for his "
                    f"{len(movable)} retailer(s) left to move{stay}")
        spare = ", ".join(f"{m} {minutes} min" for m, minutes in near)
        return (f"the managers within {rules.neighbour_max_km:g} km{far} with spare minutes ({spare}) have too "
                f"few once their margin is kept for one of his {len(movable)} retailer(s) left to move{stay}")

    def _spare_within(self, manager: str, retailers: Collection[Retailer], km: float) -> list[tuple[str, int]]:
        """The other managers with spare minutes in the figures (`spare_min`, as the output
        shows them) whose territory centre is within `km` of one of `retailers`."""
        return [(figures.manager, figures.spare_min) for figures in self.capacity.managers
                if figures.manager != manager and figures.spare_min > 0 and figures.manager in self.centres
                and any(self._km_to_centre(r, figures.manager) <= km for r in retailers)]

    def _phone_used_up(self, manager: str) -> str:
        """Why no call frees more: his slot is full (and his colleagues'), or it has
        minutes but no retailer of his is left to call."""
        rules = self.rules
        left = max(self.phone_minutes.get(manager, 0), 0)
        if rules.phone_call_minutes is not None and left >= rules.phone_call_minutes:
            held = sorted(r.id for r in self.department.territory(manager)
                          if r.id in self.held_at and r.retailer_class in rules.phone_classes
                          and self.due.get(r.id) and r.id not in self.touched)
            return (f"his {rules.phone_kind} slot has {left} min left but no class "
                    f"{'/'.join(rules.phone_classes)} retailer of his due this week is left to call "
                    "(changed already" + (f", or a store he holds blocks at this week: {', '.join(held)}" if held
                                          else "") + ")")
        return f"his {rules.phone_kind} slot and his colleagues' hold no more calls"

    def _tier(self, change: Change) -> int:
        """0 for a move; then, class by class in `lowerable_classes` order, lowering it,
        calling it from the manager's phone slot, from a colleague's; a phone class that
        cannot be lowered next; a move beyond the neighbours last."""
        classes = self.rules.lowerable_classes
        if change.kind == "move":
            return 3 * len(classes) + 4 if change.beyond_neighbours else 0
        place = classes.index(change.retailer_class) if change.retailer_class in classes else len(classes)
        step = 0 if change.kind != "by_phone" else 1 if change.called_by is None else 2
        return 1 + 3 * place + step

    def _candidates(self, manager: str) -> list[Change]:
        found: list[Change] = []
        for retailer in self.department.territory(manager):
            visits = self.due.get(retailer.id, 0)
            if not visits or retailer.id in self.touched:
                continue
            move = self._move(retailer, visits)
            if move is not None:
                found.append(move)
            lowering = self._lowering(retailer)
            if lowering is not None:
                found.append(lowering)
            elif (call := self._call(retailer, visits)) is not None:
                found.append(call)
        if not found and self.rules.far_move_max_km is not None:  # the last tier: only when nothing else is
            for retailer in self.department.territory(manager):
                visits = self.due.get(retailer.id, 0)
                if visits and retailer.id not in self.touched:
                    far = self._move(retailer, visits, beyond_neighbours=True)
                    if far is not None:
                        found.append(far)
        return found

    def _call(self, retailer: Retailer, visits: int) -> Change | None:
        """Calling the retailer instead of visiting it this cycle, when its manager's phone
        minutes still hold the calls, else the nearest colleague's whose week is not short
        (module text); never a store where he holds a block this week (`held_at`)."""
        minutes = self.rules.phone_call_minutes
        if retailer.retailer_class not in self.rules.phone_classes or minutes is None:
            return None
        if retailer.id in self.held_at:  # he stands in the store this week (tester d10, R03012)
            return None
        caller: str | None = None
        if self.phone_minutes.get(retailer.manager, 0) < visits * minutes:
            colleagues = [m for m in self.spare if self.phone_minutes.get(m, 0) >= visits * minutes]
            if not colleagues:
                return None
            caller = min(colleagues, key=lambda m: self._km_to_centre(retailer, m))
        return Change(
            kind="by_phone", retailer=retailer.id, name=retailer.name, retailer_class=retailer.retailer_class,
            manager=retailer.manager, visits_per_4_weeks=retailer.visits_per_4_weeks,
            new_visits_per_4_weeks=retailer.visits_per_4_weeks,
            visits_freed=visits, minutes_freed=visits * self._visit_minutes(retailer, retailer.manager),
            minutes_added=visits * minutes, round=self.round_number, called_by=caller,
        )

    def _km_to_centre(self, retailer: Retailer, manager: str) -> float:
        lat, lon = self.centres[manager]
        return float(great_circle_km([retailer.lat], [retailer.lon], [lat], [lon])[0, 0])

    def _visit_minutes(self, retailer: Retailer, manager: str) -> int:
        """Service plus the manager's mean ride per visit."""
        ride = round(self.capacity.manager(manager).ride_per_visit_min)
        return service_minutes(retailer, self.policy) + ride

    def _move(self, retailer: Retailer, visits: int, *, beyond_neighbours: bool = False,
              away_all_week: bool = False) -> Change | None:
        """Moving the retailer to the nearest neighbour whose spare minutes take it, or,
        `beyond_neighbours`, to the nearest manager past the neighbours (up to
        `capacity.far_move_max_km`) whose spare minutes take its visits with the ride
        there and back from his nearest due place. A POS-target household or a promotion
        store stays: the week's timetable holds its manager's POS sessions and his pair's
        promotion there (SPEC §2); a key customer keeps its manager. A week's hand-over of a
        manager `away_all_week` takes the first two (`_hand_over_retailers`)."""
        if _keeps_manager(retailer, away_all_week) is not None:
            return None
        near, far = self.rules.neighbour_max_km, self.rules.far_move_max_km
        reach = far if beyond_neighbours and far is not None else near
        receivers = []
        for manager, spare in self.spare.items():
            km = self._km_to_centre(retailer, manager)
            if km <= reach and (km > near) == beyond_neighbours:
                receivers.append((km, manager, spare))
        for km, manager, spare in sorted(receivers):
            places = [r for r in self.department.territory(manager) if self.due.get(r.id)]
            ride = nearest_ride_minutes(self.department, self.policy, retailer, places)
            ride = max(round(self.capacity.manager(manager).ride_per_visit_min), ride * (1 + beyond_neighbours))
            added = visits * (service_minutes(retailer, self.policy) + ride)
            if added <= spare:
                return Change(
                    kind="move", retailer=retailer.id, name=retailer.name,
                    retailer_class=retailer.retailer_class, manager=retailer.manager, to_manager=manager,
                    visits_per_4_weeks=retailer.visits_per_4_weeks,
                    new_visits_per_4_weeks=retailer.visits_per_4_weeks, visits_freed=visits,
                    minutes_freed=visits * self._visit_minutes(retailer, retailer.manager),
                    minutes_added=added, km_to_centre=round(km, 2), round=self.round_number,
                    beyond_neighbours=beyond_neighbours,
                )
        return None

    def _lowering(self, retailer: Retailer) -> Change | None:
        """The smallest cut of the retailer's frequency that takes a visit out of this week."""
        if retailer.retailer_class not in self.rules.lowerable_classes:
            return None
        # Owed at most one a working day (`most_in_week`): in a week with a holiday a daily
        # retailer owes 4, and a cut to 19 in 4 weeks, still 5 by the count, frees nothing.
        most = most_in_week(self.department, self.policy, self.capacity.week_start)
        now = min(visits_in_week(retailer.id, retailer.visits_per_4_weeks, self.capacity.week_start), most)
        for lower in range(retailer.visits_per_4_weeks - 1, self.rules.min_visits_per_4_weeks - 1, -1):
            fewer = now - min(visits_in_week(retailer.id, lower, self.capacity.week_start), most)
            if fewer > 0:
                return Change(
                    kind="lower_frequency", retailer=retailer.id, name=retailer.name,
                    retailer_class=retailer.retailer_class, manager=retailer.manager,
                    visits_per_4_weeks=retailer.visits_per_4_weeks, new_visits_per_4_weeks=lower,
                    visits_freed=fewer, minutes_freed=fewer * self._visit_minutes(retailer, retailer.manager),
                    round=self.round_number,
                )
        return None


def _keeps_manager(retailer: Retailer, away_all_week: bool = False) -> str | None:
    """Why the retailer keeps its manager (`_move`), or None when it may move (for the
    week of a manager `away_all_week`, only a key customer keeps him)."""
    if retailer.pos_target and not away_all_week:
        return "a POS-target household"
    if retailer.promo_store and not away_all_week:
        return "a promotion store"
    if retailer.retailer_class == KEY_CLASS:
        return f"a class-{KEY_CLASS} retailer"
    return None


def _kinds(retailers: Collection[Retailer]) -> str:
    """How many of the retailers keep their manager for each reason (`_keeps_manager`)."""
    counts: dict[str, int] = {}
    for retailer in retailers:
        kind = _keeps_manager(retailer)
        if kind is not None:
            kind = kind.removeprefix("a ")
            counts[kind] = counts.get(kind, 0) + 1
    return ", ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in sorted(counts.items()))


def _them(retailers: Collection[Retailer]) -> str:
    return "it" if len(retailers) == 1 else "them"


def _largest_first(change: Change) -> tuple[int, int, float]:
    """Most minutes freed; then a move before a lowering; then the nearest receiver."""
    return change.minutes_freed, change.kind == "move", -(change.km_to_centre or 0.0)


def _smallest_first(change: Change) -> tuple[int, int, float]:
    """Fewest minutes that still cover; then a move before a lowering; then the nearest."""
    return change.minutes_freed, change.kind != "move", change.km_to_centre or 0.0
