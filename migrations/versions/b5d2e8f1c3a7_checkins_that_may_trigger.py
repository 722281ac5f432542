"""A partial index of the check-ins that may trigger a colour rule; a person's visits indexed

The full recompute's prefilter looked for check-ins in the facts window that trigger a rule (a fever, a
symptom, a declared contact or arrival) by reading every check-in of the window: with a month of daily
check-ins, 28 million rows for a million residents. ix_checkins_may_trigger holds only the check-ins that
may trigger a rule under any rule set with a fever threshold of 37.0 °C or more.

Recolouring found a person's visits through their check-ins (a visit lookup for each of a month of
check-ins); ix_visits_user_day finds them by person.

Revision ID: b5d2e8f1c3a7
Revises: 7c3e91d2a4b5
Create Date: 2026-11-22 21:40:00

"""
from alembic import op
import sqlalchemy as sa

MAY_TRIGGER = sa.text("(temperature >= 37.0 OR contact_with_cases IS TRUE OR arrival_from IS NOT NULL "
                      "OR CAST(symptoms AS TEXT) != '[]')")

# revision identifiers, used by Alembic.
revision = 'b5d2e8f1c3a7'
down_revision = '7c3e91d2a4b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_checkins_may_trigger', 'checkins', ['day', 'user_id'], unique=False,
                    sqlite_where=MAY_TRIGGER, postgresql_where=MAY_TRIGGER)
    op.create_index('ix_visits_user_day', 'visits', ['user_id', 'day'], unique=False)


def downgrade():
    op.drop_index('ix_visits_user_day', table_name='visits')
    op.drop_index('ix_checkins_may_trigger', table_name='checkins')
