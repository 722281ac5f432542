"""The authority's checkpoint policies (thin views over app.services.policies)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.domain import districts
from app.domain import policies as policy_rules
from app.infra import clock
from app.services import policies as policy_service
from app.services.errors import DomainError
from app.web.auth.roles import role_required
from app.web.authority import bp
from app.web.authority.policy_forms import PolicyForm
from app.web.errors import show_on_form
from app.web.i18n import lang
from app.web.info.words import kind_label, policy_words


@bp.route("/policies", methods=["GET", "POST"])
@role_required("admin")
def policies():
    """What scanners show at each kind of checkpoint and in each area; a new version, now or from a later day."""
    form = PolicyForm()
    form.area.choices = [SelectChoice("", _("Everywhere"))] + [
        SelectChoice(code, name) for code, name in districts.area_choices(lang())
    ]
    if form.validate_on_submit():
        try:
            row = policy_service.set_policy(
                form.kind.data,
                form.area.data,
                form.checking.data != "off",
                form.steps(),
                form.start.data,
                current_user.id,
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(
                _(
                    "The policy for %(scope)s holds from %(time)s; scanners receive it with their next trust list.",
                    scope=scope_words(row.kind, row.area),
                    time=clock.to_local(row.valid_from).strftime("%Y-%m-%d %H:%M"),
                ),
                "info",
            )
            return redirect(url_for("authority.policies"))
    current, scheduled, history = policy_service.policy_lists()
    status = 422 if form.errors else 200
    return render_template(
        "authority/policies.html",
        form=form,
        current=current,
        scheduled=scheduled,
        history=history,
        scope_words=scope_words,
        words=lambda policy: policy_words(policy_rules.to_dict(policy)),
        moment=policy_service.moment,
    ), status


@bp.post("/policies/<id:policy_id>/end")
@role_required("admin")
def end_policy(policy_id):
    """End a scope's own policy now (the wider one, or the default, holds again)."""
    try:
        row = policy_service.end_policy(policy_id, current_user.id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(
            _(
                "From now on, %(scope)s follows the wider policy, or the default.",
                scope=scope_words(row.kind, row.area),
            ),
            "info",
        )
    return redirect(url_for("authority.policies"))


def scope_words(kind: str | None, area: str | None) -> str:
    """ "Hospitals · 海口市秀英区", "All checkpoints · everywhere"."""
    where = districts.name_of(area, lang()) if area else _("everywhere")
    return f"{kind_label(kind)} · {where}"
