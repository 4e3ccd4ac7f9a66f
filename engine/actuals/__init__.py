"""Planned vs actual (SPEC §3, the daily report; SPEC §1, the Friday sheet
《工作时间实行情况反馈表》).

- `records`: what happened, as recorded (`Actuals`, `ActualBlock`, `ActualVisit`);
- `storage`: the CSV import format and the department folder's `actuals/<monday>.csv`;
- `carry_over`: due visits not done roll into the next week's due list;
- `feedback`: the Friday sheet comparing the week's plan with what happened.
"""

from engine.actuals.carry_over import carried_into, missed_in_week
from engine.actuals.feedback import (
    NO_DAILY_REPORT,
    NOT_REPORTED,
    FeedbackSheet,
    Flag,
    KindHours,
    MissedVisit,
    VisitTally,
    feedback_rules,
    feedback_sheet,
)
from engine.actuals.records import ActualBlock, Actuals, ActualVisit
from engine.actuals.storage import (
    ACTUALS_FOLDER,
    COLUMNS,
    DateWindow,
    actuals_csv_text,
    actuals_from_rows,
    actuals_path,
    load_actuals,
    read_actuals_csv,
    store_actuals,
    stored_weeks,
)
from engine.routing.due import due_with_carry_over

__all__ = [
    "ACTUALS_FOLDER",
    "COLUMNS",
    "NOT_REPORTED",
    "NO_DAILY_REPORT",
    "ActualBlock",
    "ActualVisit",
    "Actuals",
    "DateWindow",
    "FeedbackSheet",
    "Flag",
    "KindHours",
    "MissedVisit",
    "VisitTally",
    "actuals_csv_text",
    "actuals_from_rows",
    "actuals_path",
    "carried_into",
    "due_with_carry_over",
    "feedback_rules",
    "feedback_sheet",
    "load_actuals",
    "missed_in_week",
    "read_actuals_csv",
    "store_actuals",
    "stored_weeks",
]
