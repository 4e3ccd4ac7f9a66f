"""Mid-week re-planning with pinning: the week as it really happens.

A plan (the week's timetable, and its routes when there are any) meets the events of
a real week at a moment `now` (events.py):

- `manager_sick`: a manager is off from a given time (until a given day, or the end
  of the week);
- `retailer_closed`: a retailer is closed on a day (today by default);
- `urgent_visit`: a retailer must be visited, by a given day (today by default), by
  the manager it names (its own by default) when he can make it in time; it takes the
  place of the week's visit to that retailer still to come;
- `promotion_store_cancelled`: a promotion store can no longer be used from a given day
  (today by default); sessions before that day keep it.

What the re-plan keeps and changes:

1. **Pinned.** Every block and route stop that started before `now` stays exactly as
   it was (the past cannot be re-planned; a block under way is finished as planned),
   and so does a stop the manager set out for before `now` (its arrival less its ride:
   he is on the way; his route goes on from there, handover.py),
   except a sick manager's: he does nothing once he is off (from when he falls ill, from
   the start of that grid slot; before `now` too: what was planned inside his sickness
   was not done, and its visits are handed on), so his block under way then is cut
   there: the part he worked stays in the week, in the timetable, the routes and the
   diff (`cut`), and his partner goes on alone, his block naming the sick one only
   for the part they shared (situation.py `split_where_a_partner_fell_ill`). A lunch is no work to
   cut: his lunch over or under way when he falls ill stays as it was, and a re-plan
   never takes a lunch away to make room (model.py).
2. **The timetable** is the weekly model plus pins (model.py): the same variables and
   the same registry of hard and soft rules as the weekly solve (SPEC §2, §6), over a
   week frame whose quotas are the original ones, with the sick manager's absence as
   leave (situation.py). Every block after `now` that differs from the old plan costs
   the policy's `replan.moved_block`; hours the re-plan cannot keep cost
   `replan.missing_per_10min` instead of making the week infeasible. The old plan,
   repaired, is the solver's start: the solve is never worse than that start.
3. **Pairs.** Groups of the old plan stay together for the rest of the week; a manager
   whose every partner is off for the rest of the week is re-paired (pairs.py).
   POS households and promotion stores are chosen by the weekly solve's assignment
   (engine.timetable.places), told which places the events closed (blocks.py). A group
   keeps its store: on a day the store is closed it holds no session (the session
   moves to another day, or its hours are missed and said so); a store closed on every
   day left, or cancelled, is given up for another, whose rides the model holds (from
   a session held before `now` at the old one too). A POS session on a day its
   household is closed takes another household of the week's, or moves.
4. **Routes.** Stops that cannot stay are handed over in the policy's order
   (`replan.handover`); a visit that finds no place is listed in `unplaced` with its
   reason (handover.py).
5. **The diff** per manager lists the blocks and stops moved, cancelled, added,
   changed, handed over and received (diff.py).

Never prints. Times HH:MM, dates ISO, durations minutes.
"""

from engine.replan.events import (
    Event,
    ManagerSick,
    PromotionStoreCancelled,
    RetailerClosed,
    UrgentVisit,
    read_events,
)
from engine.replan.result import (
    BlockChange,
    LateVisit,
    ManagerDiff,
    ReplanResult,
    ReplanRoute,
    ReplanStop,
    StopChange,
    UnplacedReason,
    UnplacedVisit,
)
from engine.replan.situation import Absence, Situation, replan_rules
from engine.replan.solve import replan

__all__ = [
    "Absence",
    "BlockChange",
    "Event",
    "LateVisit",
    "ManagerDiff",
    "ManagerSick",
    "PromotionStoreCancelled",
    "ReplanResult",
    "ReplanRoute",
    "ReplanStop",
    "RetailerClosed",
    "Situation",
    "StopChange",
    "UnplacedReason",
    "UnplacedVisit",
    "UrgentVisit",
    "read_events",
    "replan",
    "replan_rules",
]
