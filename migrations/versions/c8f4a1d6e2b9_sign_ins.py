"""Sign-ins: one row per signed-in device, so signing out ends the session on the server

The session and remember-me cookies carried the user's id, so a copy of either kept opening the account
after sign-out. They now carry the id of a sign_ins row, which sign-out ends. Cookies from before this
revision carry no sign-in: those devices sign in again.

Revision ID: c8f4a1d6e2b9
Revises: b5d2e8f1c3a7
Create Date: 2026-12-03 09:30:00

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "c8f4a1d6e2b9"
down_revision = "b5d2e8f1c3a7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_ins",
        sa.Column("id", sa.String(length=43), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sign_ins_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_ins")),
    )
    op.create_index(op.f("ix_sign_ins_user_id"), "sign_ins", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_sign_ins_user_id"), table_name="sign_ins")
    op.drop_table("sign_ins")
