"""The code as the medical card: cards handed out (token hashes only), visits registered with them; check-ins
filed on a person's behalf at a green-channel desk say by whom and where

Revision ID: f3c9a7d1b5e8
Revises: f3a9c2d7b1e5
Create Date: 2026-12-03 14:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'f3c9a7d1b5e8'
down_revision = 'f3a9c2d7b1e5'
branch_labels = None
depends_on = None

# The check-in columns saying who filed it at a desk: (column, table it refers to, constraint name).
FILED = (
    ('filed_by_id', 'users', 'fk_checkins_filed_by_id_users'),
    ('filed_at_id', 'institutions', 'fk_checkins_filed_at_id_institutions'),
)


def upgrade():
    op.create_table(
        'medical_cards',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['users.id'], name='fk_medical_cards_person_id_users'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name='fk_medical_cards_requested_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_medical_cards'),
        sa.UniqueConstraint('token_hash', name='uq_medical_cards_token_hash'),
    )
    op.create_index('ix_medical_cards_person', 'medical_cards', ['person_id', 'kind', 'expires_at'], unique=False)
    op.create_table(
        'medical_visits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('payload_hash', sa.String(length=64), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('department', sa.String(length=32), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('visited_at', sa.DateTime(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name='fk_medical_visits_institution_id_institutions'),
        sa.ForeignKeyConstraint(['person_id'], ['users.id'], name='fk_medical_visits_person_id_users'),
        sa.ForeignKeyConstraint(['staff_id'], ['users.id'], name='fk_medical_visits_staff_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_medical_visits'),
        sa.UniqueConstraint('uuid', name='uq_medical_visits_uuid'),
    )
    op.create_index('ix_medical_visits_person', 'medical_visits', ['person_id', 'visited_at'], unique=False)
    op.create_index('ix_medical_visits_institution', 'medical_visits', ['institution_id', 'visited_at'], unique=False)
    # Plain ADD COLUMN (with its REFERENCES clause) on SQLite too: rebuilding the check-ins table would copy every
    # check-in and rebuild its indexes, the partial ix_checkins_may_trigger among them.
    for column, table, constraint in FILED:
        if op.get_context().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE checkins ADD COLUMN {column} INTEGER CONSTRAINT {constraint} REFERENCES {table} (id)')
        else:
            op.add_column('checkins', sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(constraint, 'checkins', table, [column], ['id'])


def downgrade():
    with op.batch_alter_table('checkins') as batch_op:
        batch_op.drop_constraint('fk_checkins_filed_at_id_institutions', type_='foreignkey')
        batch_op.drop_constraint('fk_checkins_filed_by_id_users', type_='foreignkey')
        batch_op.drop_column('filed_at_id')
        batch_op.drop_column('filed_by_id')
    op.drop_index('ix_medical_visits_institution', table_name='medical_visits')
    op.drop_index('ix_medical_visits_person', table_name='medical_visits')
    op.drop_table('medical_visits')
    op.drop_index('ix_medical_cards_person', table_name='medical_cards')
    op.drop_table('medical_cards')
