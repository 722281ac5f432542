"""Fever-drug sales registered at pharmacies and their drugs; reports that follow a sale up

Revision ID: f7c2a9d4e1b3
Revises: e4b8d1f7a2c6
Create Date: 2026-12-03 14:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'f7c2a9d4e1b3'
down_revision = 'e4b8d1f7a2c6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'drug_sales',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('payload_hash', sa.String(length=64), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('district', sa.String(length=6), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('temperature', sa.Double(), nullable=False),
        sa.Column('epidemic_area', sa.Boolean(), nullable=False),
        sa.Column('fever_contact', sa.Boolean(), nullable=False),
        sa.Column('proxy', sa.Boolean(), nullable=False),
        sa.Column('patient_phone', sa.String(length=11), nullable=True),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['institution_id'], ['institutions.id']),
        sa.ForeignKeyConstraint(['person_id'], ['users.id']),
        sa.ForeignKeyConstraint(['staff_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid'),
    )
    with op.batch_alter_table('drug_sales') as batch_op:
        batch_op.create_index('ix_drug_sales_district_day', ['district', 'day'], unique=False)
        batch_op.create_index('ix_drug_sales_institution_time', ['institution_id', 'recorded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_drug_sales_person_id'), ['person_id'], unique=False)
    op.create_table(
        'drug_sale_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sale_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('drug_code', sa.String(length=40), nullable=True),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['sale_id'], ['drug_sales.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('drug_sale_items') as batch_op:
        batch_op.create_index(batch_op.f('ix_drug_sale_items_sale_id'), ['sale_id'], unique=False)
    with op.batch_alter_table('reports') as batch_op:
        batch_op.add_column(sa.Column('drug_sale_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_reports_drug_sale_id', 'drug_sales', ['drug_sale_id'], ['id'])
        batch_op.create_index('ix_reports_drug_sale', ['drug_sale_id'], unique=True)


def downgrade():
    with op.batch_alter_table('reports') as batch_op:
        batch_op.drop_index('ix_reports_drug_sale')
        batch_op.drop_constraint('fk_reports_drug_sale_id', type_='foreignkey')
        batch_op.drop_column('drug_sale_id')
    with op.batch_alter_table('drug_sale_items') as batch_op:
        batch_op.drop_index(batch_op.f('ix_drug_sale_items_sale_id'))
    op.drop_table('drug_sale_items')
    with op.batch_alter_table('drug_sales') as batch_op:
        batch_op.drop_index(batch_op.f('ix_drug_sales_person_id'))
        batch_op.drop_index('ix_drug_sales_institution_time')
        batch_op.drop_index('ix_drug_sales_district_day')
    op.drop_table('drug_sales')
