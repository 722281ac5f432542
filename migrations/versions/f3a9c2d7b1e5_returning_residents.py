"""Residents coming home: the authority's invitation lists, the invitations texted, and pre-arrival
registrations linked to the check-in that declared the arrival

Revision ID: f3a9c2d7b1e5
Revises: f3c9a7e1b5d2
Create Date: 2026-12-03 12:01:57.110753

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f3a9c2d7b1e5"
down_revision = "f3c9a7e1b5d2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "return_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("valid_rows", sa.Integer(), nullable=False),
        sa.Column("rejected_rows", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("link_base", sa.String(length=200), nullable=True),
        sa.Column("runner", sa.String(length=32), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("unsure", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["started_by_id"], ["users.id"], name=op.f("fk_return_uploads_started_by_id_users")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"], name=op.f("fk_return_uploads_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_uploads")),
    )
    op.create_table(
        "return_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["return_uploads.id"], name=op.f("fk_return_invitations_upload_id_return_uploads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_invitations")),
    )
    with op.batch_alter_table("return_invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_return_invitations_phone"), ["phone"], unique=False)
        batch_op.create_index("ix_return_invitations_upload_status", ["upload_id", "status", "id"], unique=False)

    op.create_table(
        "return_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=11), nullable=True),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("planned_day", sa.Date(), nullable=False),
        sa.Column("from_district", sa.String(length=6), nullable=False),
        sa.Column("destination", sa.String(length=6), nullable=False),
        sa.Column("transport", sa.String(length=16), nullable=False),
        sa.Column("trip_number", sa.String(length=12), nullable=True),
        sa.Column("health", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=True),
        sa.Column("arrived_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["checkin_id"],
            ["checkins.id"],
            name=op.f("fk_return_registrations_checkin_id_checkins"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["return_invitations.id"],
            name=op.f("fk_return_registrations_invitation_id_return_invitations"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_return_registrations_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_registrations")),
        sa.UniqueConstraint("checkin_id", name=op.f("uq_return_registrations_checkin_id")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_return_registrations_invitation_id")),
    )
    with op.batch_alter_table("return_registrations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_return_registrations_day", ["planned_day", "destination", "status", "health"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_return_registrations_phone"), ["phone"], unique=False)
        batch_op.create_index(batch_op.f("ix_return_registrations_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("return_registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_registrations_user_id"))
        batch_op.drop_index(batch_op.f("ix_return_registrations_phone"))
        batch_op.drop_index("ix_return_registrations_day")

    op.drop_table("return_registrations")
    with op.batch_alter_table("return_invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_return_invitations_upload_status")
        batch_op.drop_index(batch_op.f("ix_return_invitations_phone"))

    op.drop_table("return_invitations")
    op.drop_table("return_uploads")
