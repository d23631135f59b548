"""Sub-commands of `servicedesk`. Add a module here and list it in COMMAND_MODULES."""

from __future__ import annotations

from types import ModuleType

from bot.commands import check, db, digest, manifest, match, run, sla, standin

COMMAND_MODULES: tuple[ModuleType, ...] = (check, db, digest, manifest, match, run, sla, standin)
