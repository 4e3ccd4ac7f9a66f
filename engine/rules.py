"""Registry of the timetable's rules: id, hard or soft, where SPEC states it, and the
words a market manager reads when the rule is broken or conflicts with another.

The CP-SAT model, the explanation of infeasibility and the independent checker all
name rules by these ids; they share the vocabulary, never the logic."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    hard: bool
    spec: str
    words: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("working_hours", True, "SPEC §2, §6",
             "every block lies inside the working day and inside its own time window"),
        Rule("no_overlap", True, "SPEC §6",
             "a manager is in one place at a time, with riding time between office and field"),
        Rule("ride_between_places", True, "SPEC §3, §6",
             "between two blocks of a manager's day there is at least the ride between their places "
             "(the office, the visit area, the POS household, the pair's store, the site-study place)"),
        Rule("late_for_appointment", True, "SPEC §3, §6",
             "every block at a fixed place (a POS household, the pair's store, the office) is reached "
             "by its start; a partner is not left waiting"),
        Rule("leave", True, "SPEC §2",
             "nothing is planned while a manager is on leave"),
        Rule("lunch", True, "SPEC §3", "everyone has lunch inside the lunch window every working day"),
        Rule("visit_daily", True, "SPEC §2-3",
             "every working day a visit block of the policy's length, started by the latest start "
             "and over by the end of field visiting"),
        Rule("maintenance_pairs", True, "SPEC §2",
             "terminal maintenance is done in pairs, at the same time, in sessions on different days"),
        Rule("site_study_together", True, "SPEC §2",
             "the whole department does its site study together, in one slot a week"),
        Rule("promotion_pairs", True, "SPEC §2",
             "in-store promotion is done in pairs at a promotion store of one of the pair's territories, "
             "in sessions of the policy's length on different days"),
        Rule("pos_project_households", True, "SPEC §2",
             "POS-project hours are spent at different POS-target households of the manager's own territory"),
        Rule("phone_afternoons", True, "SPEC §2", "phone visits take their slot on the listed afternoons"),
        Rule("meetings_together", True, "SPEC §2",
             "department meetings are held with everyone at the same time on the listed days"),
        Rule("admin_time", True, "SPEC §2", "office work gets its weekly hours"),
        Rule("pairing", True, "SPEC §2",
             "every manager who is present has a partner for the week (one group of three if the "
             "head-count is odd)"),
        Rule("unknown_reference", True, "SPEC §6",
             "every manager, partner, retailer and duty a timetable names belongs to the department "
             "and its policy"),
        Rule("replan_past_changed", True, "SPEC §1",
             "a re-plan keeps every block that started before its moment exactly as it was (a "
             "block under way when its manager fell ill: the part he worked), and adds none that "
             "starts before it"),
        Rule("key_customer_dropped", True, "SPEC §4",
             "a key customer (class A) is not left out while a class-C visit of the same manager's "
             "week is made, unless no visit day of the week could have held a visit to it"),
        Rule("left_out_with_room", True, "SPEC §3-4",
             "a due visit is not listed unvisited while a visit day of its manager has room for it "
             "between the day's planned stops"),
        Rule("senior_newcomer", False, "SPEC §2, §6", "seniors are paired with newcomers"),
        Rule("repeated_partner", False, "SPEC §6", "partners are not repeated from recent weeks"),
        Rule("pair_distance", False, "SPEC §6", "paired managers work territories close to each other"),
        Rule("office_fragmentation", False, "SPEC §6", "office time comes in few, long pieces"),
        Rule("late_finish", False, "SPEC §6", "few late finishes, spread fairly"),
        Rule("site_study_absence", False, "SPEC §2", "the site study falls on a day when everyone is in"),
        Rule("meeting_absence", False, "SPEC §2", "a department meeting falls where nobody's leave takes it"),
        Rule("moved_block", False, "SPEC §1",
             "a re-plan moves, adds or drops as few blocks after its moment as it can"),
        Rule("missing_hours", False, "SPEC §2",
             "a re-plan keeps as much of the week's hours as the absences leave room for"),
    )
}

KIND_RULE: dict[str, str] = {
    "visit": "visit_daily",
    "maintenance": "maintenance_pairs",
    "site_study": "site_study_together",
    "promotion": "promotion_pairs",
    "pos_project": "pos_project_households",
    "phone": "phone_afternoons",
    "meeting": "meetings_together",
    "admin": "admin_time",
    "lunch": "lunch",
}
"""The hard rule that governs each block kind."""
