"""Fever-clinic visits, medical observations and their daily entries

Revision ID: f3c9a7e1b5d2
Revises: f3a9c2d8b4e1
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'f3c9a7e1b5d2'
down_revision = 'f3a9c2d8b4e1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'fever_visits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('payload_hash', sa.String(length=64), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('temperature', sa.Double(), nullable=False),
        sa.Column('symptoms', sa.JSON(), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('district', sa.String(length=6), nullable=False),
        sa.Column('guardian_name', sa.String(length=30), nullable=True),
        sa.Column('notes', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['institution_id'], ['institutions.id']),
        sa.ForeignKeyConstraint(['person_id'], ['users.id']),
        sa.ForeignKeyConstraint(['staff_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid'),
    )
    with op.batch_alter_table('fever_visits') as batch_op:
        batch_op.create_index('ix_fever_visits_person_day', ['person_id', 'day'], unique=False)
        batch_op.create_index('ix_fever_visits_day', ['day', 'person_id'], unique=False)
        batch_op.create_index('ix_fever_visits_institution', ['institution_id', 'recorded_at'], unique=False)

    op.create_table(
        'observations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('payload_hash', sa.String(length=64), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('age', sa.Integer(), nullable=True),
        sa.Column('case_number', sa.String(length=32), nullable=True),
        sa.Column('case_type', sa.String(length=16), nullable=False),
        sa.Column('onset_date', sa.Date(), nullable=True),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('district', sa.String(length=6), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('dry_cough', sa.Boolean(), nullable=False),
        sa.Column('temperature', sa.Double(), nullable=False),
        sa.Column('other_symptoms', sa.String(length=200), nullable=True),
        sa.Column('opinion', sa.String(length=500), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=True),
        sa.Column('closing_note', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['closed_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['institution_id'], ['institutions.id']),
        sa.ForeignKeyConstraint(['person_id'], ['users.id']),
        sa.ForeignKeyConstraint(['staff_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid'),
    )
    with op.batch_alter_table('observations') as batch_op:
        batch_op.create_index('ix_observations_person', ['person_id', 'closed_on'], unique=False)
        batch_op.create_index('ix_observations_institution', ['institution_id', 'closed_at'], unique=False)

    op.create_table(
        'observation_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('observation_id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('temperature', sa.Double(), nullable=False),
        sa.Column('dry_cough', sa.Boolean(), nullable=False),
        sa.Column('other_symptoms', sa.String(length=200), nullable=True),
        sa.Column('note', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['observation_id'], ['observations.id']),
        sa.ForeignKeyConstraint(['staff_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('observation_id', 'day', name='uq_observation_entries_day'),
    )


def downgrade():
    op.drop_table('observation_entries')
    with op.batch_alter_table('observations') as batch_op:
        batch_op.drop_index('ix_observations_institution')
        batch_op.drop_index('ix_observations_person')
    op.drop_table('observations')
    with op.batch_alter_table('fever_visits') as batch_op:
        batch_op.drop_index('ix_fever_visits_institution')
        batch_op.drop_index('ix_fever_visits_day')
        batch_op.drop_index('ix_fever_visits_person_day')
    op.drop_table('fever_visits')
