"""Revoked codes in a table of their own; a person's codes indexed by expiry; check-ins covered by user

Revocations were marked on each code's row: revoking the codes of 10,000 people rewrote (and often split)
10,000 scattered pages of issued_codes, and the index of revoked_at over every code made SQLite walk all
valid codes to revoke one person's. Revocations are now appended to code_revocations (the trust bundle
lists those not yet expired, by their expiry), and a person's codes are indexed by expiry with their jti,
so revoking their valid codes visits neither their expired codes nor the codes' rows. A person's
check-ins are indexed with everything the colour rules read, so recolouring reads a month of daily
check-ins from a few index pages instead of one table page each.

Revision ID: 7c3e91d2a4b5
Revises: 468ba189530e
Create Date: 2026-11-22 20:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e91d2a4b5'
down_revision = '468ba189530e'
branch_labels = None
depends_on = None


CHECKIN_COLUMNS = ['user_id', 'day', 'checked_at', 'id', 'district', 'temperature', 'symptoms', 'contact_with_cases',
                   'arrival_from', 'arrival_day', 'arrival_transport']


def upgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index('ix_checkins_user_day')
        batch_op.create_index('ix_checkins_user_day', CHECKIN_COLUMNS, unique=False)
    op.create_table('code_revocations',
    sa.Column('jti', sa.String(length=32), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['jti'], ['issued_codes.jti'], name=op.f('fk_code_revocations_jti_issued_codes')),
    sa.PrimaryKeyConstraint('jti', name=op.f('pk_code_revocations')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('code_revocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_code_revocations_expires_at'), ['expires_at'], unique=False)
    op.execute("INSERT INTO code_revocations (jti, expires_at, revoked_at, reason) "
               "SELECT jti, expires_at, revoked_at, COALESCE(revoked_reason, 'colour_changed') "
               "FROM issued_codes WHERE revoked_at IS NOT NULL")
    with op.batch_alter_table('issued_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_codes_revoked')
        batch_op.drop_index('ix_codes_user_issued')
        batch_op.create_index('ix_codes_user_expires', ['user_id', 'expires_at', 'jti'], unique=False)
        batch_op.drop_column('revoked_reason')
        batch_op.drop_column('revoked_at')


def downgrade():
    with op.batch_alter_table('issued_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('revoked_reason', sa.String(length=32), nullable=True))
        batch_op.drop_index('ix_codes_user_expires')
        batch_op.create_index('ix_codes_user_issued', ['user_id', 'issued_at'], unique=False)
        batch_op.create_index('ix_codes_revoked', ['revoked_at'], unique=False)
    op.execute("UPDATE issued_codes SET revoked_at = (SELECT revoked_at FROM code_revocations r "
               "WHERE r.jti = issued_codes.jti), revoked_reason = (SELECT reason FROM code_revocations r "
               "WHERE r.jti = issued_codes.jti)")
    with op.batch_alter_table('code_revocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_code_revocations_expires_at'))
    op.drop_table('code_revocations')
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index('ix_checkins_user_day')
        batch_op.create_index('ix_checkins_user_day', ['user_id', 'day'], unique=False)
