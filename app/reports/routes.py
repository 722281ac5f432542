"""Report pages (thin views over app.services.reports)."""
from flask import render_template

from app.auth.roles import role_required
from app.reports import bp


@bp.get("/inbox")
@role_required("handler", "supervisor")
def inbox():
    """Reports in the staff member's area, overdue first."""
    return render_template("reports/inbox.html")
