"""What happened in the field, as the daily report records it (SPEC §3): the blocks
done with their real times, and each visit done or missed with its reason."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from engine.domain import BlockKind
from engine.policy import Clock
from engine.routing.due import week_monday


class _Out(BaseModel):
    """A frozen record of the actuals."""

    model_config = ConfigDict(frozen=True)


class ActualBlock(_Out):
    """A block as it was really done: its kind and real times, and the retailer it was
    done at when the report names one (a field block: maintenance, promotion, POS
    project, site study)."""

    manager: str
    date: dt.date
    kind: BlockKind
    start: Clock
    end: Clock
    retailer: str | None = None


class ActualVisit(_Out):
    """A visit done (with its times when known) or missed (with the reason)."""

    manager: str
    date: dt.date
    retailer: str
    status: Literal["done", "missed"]
    start: Clock | None = None
    end: Clock | None = None
    reason: str = ""


class Actuals(_Out):
    """What happened, as recorded: blocks and visits of any number of days."""

    blocks: tuple[ActualBlock, ...] = ()
    visits: tuple[ActualVisit, ...] = ()

    def days(self) -> set[tuple[str, dt.date]]:
        """Every (manager, date) the records report on."""
        return {(b.manager, b.date) for b in self.blocks} | {(v.manager, v.date) for v in self.visits}

    def in_week(self, week_start: dt.date) -> Actuals:
        """Only the records of the ISO week starting `week_start`."""
        monday = week_monday(week_start)
        return Actuals(
            blocks=tuple(b for b in self.blocks if week_monday(b.date) == monday),
            visits=tuple(v for v in self.visits if week_monday(v.date) == monday),
        )
