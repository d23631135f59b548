"""digest indexes: first responses per team and day, SLA clocks stopped per day

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 02:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_tickets_team_first_response", "tickets", ["team_id", "first_response_at"], unique=False)
    op.create_index("ix_sla_clocks_kind_stopped", "sla_clocks", ["kind", "stopped_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_sla_clocks_kind_stopped", table_name="sla_clocks")
    op.drop_index("ix_tickets_team_first_response", table_name="tickets")
