"""Scans record whether the person went through (passed / refused), not only the way they were going

A scan answered 禁止通行 was stored with the direction the form defaulted to, so a refused person's trail
read as entries. Scans already stored with the device's verdict "deny" were refused.

Revision ID: d2a7c5e9f4b1
Revises: c8f4a1d6e2b9
Create Date: 2026-12-03 09:45:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'd2a7c5e9f4b1'
down_revision = 'c8f4a1d6e2b9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scans') as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.String(length=8), nullable=False, server_default='passed'))
    op.execute("UPDATE scans SET outcome = 'refused' WHERE offline_result = 'deny'")


def downgrade():
    with op.batch_alter_table('scans') as batch_op:
        batch_op.drop_column('outcome')
