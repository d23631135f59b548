"""Priority from impact and urgency, the ITIL way: agents may set priority directly, or reason it out."""

from __future__ import annotations

from enum import StrEnum

from bot.config.schema import Priority


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


# Rows: impact (how many people / how much business), columns: urgency (how soon it hurts).
_MATRIX: dict[tuple[Level, Level], Priority] = {
    (Level.HIGH, Level.HIGH): Priority.CRITICAL,
    (Level.HIGH, Level.MEDIUM): Priority.HIGH,
    (Level.HIGH, Level.LOW): Priority.MEDIUM,
    (Level.MEDIUM, Level.HIGH): Priority.HIGH,
    (Level.MEDIUM, Level.MEDIUM): Priority.MEDIUM,
    (Level.MEDIUM, Level.LOW): Priority.LOW,
    (Level.LOW, Level.HIGH): Priority.MEDIUM,
    (Level.LOW, Level.MEDIUM): Priority.LOW,
    (Level.LOW, Level.LOW): Priority.LOW,
}


def priority_for(impact: Level | str, urgency: Level | str) -> Priority:
    return _MATRIX[(Level(impact), Level(urgency))]
