"""Enterprises back at work: declarations and their reviews, employees' return-to-work registrations, the
resumption survey

Revision ID: f3a9c2d8b4e1
Revises: f7c2a9d4e1b3
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a9c2d8b4e1'
down_revision = 'f7c2a9d4e1b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('enterprises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('district', sa.String(length=6), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('industry', sa.String(length=1), nullable=False),
    sa.Column('scale', sa.String(length=12), nullable=False),
    sa.Column('employees', sa.Integer(), nullable=False),
    sa.Column('contact_name', sa.String(length=30), nullable=False),
    sa.Column('contact_phone', sa.String(length=11), nullable=False),
    sa.Column('measures', sa.String(length=2000), nullable=False),
    sa.Column('head_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('return_reasons', sa.String(length=1000), nullable=True),
    sa.Column('join_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['head_id'], ['users.id'], name=op.f('fk_enterprises_head_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprises')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_enterprises_credit_code'))
    )
    with op.batch_alter_table('enterprises') as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprises_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprises_head_id'), ['head_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprises_status'), ['status'], unique=False)

    op.create_table('enterprise_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=12), nullable=False),
    sa.Column('reasons', sa.String(length=1000), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_enterprise_decisions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_decisions_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_decisions'))
    )
    with op.batch_alter_table('enterprise_decisions') as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_decisions_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('enterprise_employees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=50), nullable=True),
    sa.Column('returned_from', sa.String(length=6), nullable=False),
    sa.Column('returned_on', sa.Date(), nullable=False),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_employees_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_enterprise_employees_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_employees')),
    sa.UniqueConstraint('enterprise_id', 'user_id', name='uq_enterprise_employees_person')
    )
    with op.batch_alter_table('enterprise_employees') as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_employees_user_id'), ['user_id'], unique=False)

    op.create_table('survey_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_survey_answers_answered_by_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_survey_answers_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answers')),
    sa.UniqueConstraint('enterprise_id', name=op.f('uq_survey_answers_enterprise_id'))
    )
    op.create_table('survey_problems',
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('problem', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['survey_answers.id'], name=op.f('fk_survey_problems_answer_id_survey_answers')),
    sa.PrimaryKeyConstraint('answer_id', 'problem', name=op.f('pk_survey_problems'))
    )


def downgrade():
    op.drop_table('survey_problems')
    op.drop_table('survey_answers')
    with op.batch_alter_table('enterprise_employees') as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_employees_user_id'))

    op.drop_table('enterprise_employees')
    with op.batch_alter_table('enterprise_decisions') as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_decisions_enterprise_id'))

    op.drop_table('enterprise_decisions')
    with op.batch_alter_table('enterprises') as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprises_status'))
        batch_op.drop_index(batch_op.f('ix_enterprises_head_id'))
        batch_op.drop_index(batch_op.f('ix_enterprises_district'))

    op.drop_table('enterprises')
