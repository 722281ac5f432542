"""Checkpoint policies (versions by kind and area) and, on each scan, the action and policy it was judged under

Revision ID: 5af54fc3dcbb
Revises: f3c9a7d1b5e8
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '5af54fc3dcbb'
down_revision = 'f3c9a7d1b5e8'  # medical cards
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'checkpoint_policies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=True),
        sa.Column('area', sa.String(length=6), nullable=True),
        sa.Column('valid_from', sa.DateTime(), nullable=False),
        sa.Column('checking', sa.Boolean(), nullable=False),
        sa.Column('steps', sa.JSON(), nullable=False),
        sa.Column('retired', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('checkpoint_policies') as batch_op:
        batch_op.create_index('ix_checkpoint_policies_scope', ['kind', 'area', 'valid_from'], unique=False)
    with op.batch_alter_table('scans') as batch_op:
        batch_op.add_column(sa.Column('offline_action', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('server_action', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('policy_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_scans_policy_id', 'checkpoint_policies', ['policy_id'], ['id'])


def downgrade():
    with op.batch_alter_table('scans') as batch_op:
        batch_op.drop_constraint('fk_scans_policy_id', type_='foreignkey')
        batch_op.drop_column('policy_id')
        batch_op.drop_column('server_action')
        batch_op.drop_column('offline_action')
    with op.batch_alter_table('checkpoint_policies') as batch_op:
        batch_op.drop_index('ix_checkpoint_policies_scope')
    op.drop_table('checkpoint_policies')
