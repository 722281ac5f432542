"""Thin views for pharmacists."""

from flask import render_template, request
from flask_login import current_user

from app.domain import districts
from app.domain.pharmacy import MAX_DRUG_NAME, QUANTITY, fever_drugs
from app.services import pharmacy
from app.web.auth.roles import role_required
from app.web.i18n import lang
from app.web.pharmacy import bp
from app.web.staff.desk import desk_context


@bp.get("/")
@role_required("pharmacist")
def index():
    """Identify the buyer (camera, typed code or ID number), then register the sale."""
    return render_template("pharmacy/index.html", **desk_context(current_user.institution))


@bp.context_processor
def drug_sale_words():
    """What the sale form shows: the shipped drug list and districts in the user's language, the quantity range."""
    language = lang()
    return {
        "fever_drug_names": [drug.name(language) for drug in fever_drugs().values()],
        "sale_districts": districts.choices(language),
        "drug_quantity": QUANTITY,
        "drug_name_length": MAX_DRUG_NAME,
    }


@bp.get("/sales")
@role_required("pharmacist")
def sales():
    """This pharmacy's fever-drug registrations, newest first, buyers by masked name."""
    found = pharmacy.sales_of(current_user, request.args.get("page", 1, type=int))
    return render_template("pharmacy/sales.html", sales=found)


@bp.get("/sales/<id:sale_id>")
@role_required("pharmacist")
def sale(sale_id):
    """One of this pharmacy's registrations (another pharmacy's is a 404)."""
    return render_template("pharmacy/sale.html", row=pharmacy.sale_for(current_user, sale_id))
