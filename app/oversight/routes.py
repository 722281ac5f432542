"""Oversight pages (thin views over app.services.oversight)."""
from flask import render_template

from app.auth.roles import role_required
from app.oversight import bp


@bp.get("/")
@role_required("admin", "supervisor")
def overview():
    """Colour counts per district and day, scans per checkpoint, open reports and appeals."""
    return render_template("oversight/overview.html")


@bp.get("/audit")
@role_required("admin", "supervisor")
def audit():
    """Search the audit log."""
    return render_template("oversight/overview.html")
