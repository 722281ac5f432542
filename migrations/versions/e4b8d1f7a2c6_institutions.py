"""Medical institutions and pharmacies; their staff; sealed document numbers for authorised lookups

Revision ID: e4b8d1f7a2c6
Revises: d2a7c5e9f4b1
Create Date: 2026-12-03 11:45:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'e4b8d1f7a2c6'
down_revision = 'd2a7c5e9f4b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'institutions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('district', sa.String(length=6), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=True),
        sa.Column('licence_number', sa.String(length=32), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('institutions') as batch_op:
        batch_op.create_index(batch_op.f('ix_institutions_district'), ['district'], unique=False)
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('doc_sealed', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('institution_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_users_institution_id', 'institutions', ['institution_id'], ['id'])


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_constraint('fk_users_institution_id', type_='foreignkey')
        batch_op.drop_column('institution_id')
        batch_op.drop_column('doc_sealed')
    with op.batch_alter_table('institutions') as batch_op:
        batch_op.drop_index(batch_op.f('ix_institutions_district'))
    op.drop_table('institutions')
