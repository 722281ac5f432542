"""`flask` commands: keys, demo data, CSV imports (until the authority console exists)."""

from pathlib import Path

import click
from flask.cli import AppGroup

from app.infra import keys
from app.models.user import STAFF_ROLES

keys_cli = AppGroup("keys", help="Signing keys for health codes.")
import_cli = AppGroup("import", help="Import authority data from CSV files.")
staff_cli = AppGroup("staff", help="Staff enrolment links (the first admin; later ones come from the console).")
relatives_cli = AppGroup("relatives", help="Bindings of relatives without a phone (until the console exists).")


@relatives_cli.command("pending")
def relatives_pending():
    """List bindings waiting for a community worker's approval."""
    from app.domain.masking import mask_name
    from app.services.relatives import pending_approvals

    rows = pending_approvals()
    for binding in rows:
        click.echo(
            f"{binding.id}\t{mask_name(binding.guardian.name or '')} -> {mask_name(binding.dependant.name or '')}"
            f" ({binding.relationship_}), since {binding.created_at:%Y-%m-%d %H:%M}"
        )
    click.echo(f"{len(rows)} waiting")


@relatives_cli.command("approve")
@click.argument("binding_id", type=int)
@click.option("--by", "approver", required=True, help="Name of the community worker who confirmed consent.")
def relatives_approve(binding_id, approver):
    """Confirm that a relative without a phone agreed to the binding."""
    from app.services.relatives import BindingError, approve

    try:
        approve(binding_id, approver)
    except BindingError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"binding {binding_id} is active")


@staff_cli.command("enrol-link")
@click.option(
    "--role",
    type=click.Choice(STAFF_ROLES),
    default="warden",
    show_default=True,
)
@click.option("--area", "scope_district", help="Handlers: a district code; supervisors: a city or district code.")
@click.option("--checkpoint", "checkpoint_id", type=int, help="Wardens: join this existing checkpoint.")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
def enrol_link(role, scope_district, checkpoint_id, base_url):
    """Print a signed, expiring, single-use enrolment link (the first admin is enrolled this way)."""
    from flask import current_app

    from app.services.enrolment import EnrolmentError, enrolment_token

    try:
        token = enrolment_token(role, checkpoint_id, scope_district)
    except EnrolmentError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{base_url.rstrip('/')}/staff/enrol/{token}")
    click.echo(f"valid for {current_app.config['ENROL_LINK_HOURS']} hours, once")


@keys_cli.command("init")
def keys_init():
    """Create the first signing key if there is none."""
    click.echo(f"active key: {keys.ensure_key()}")


@keys_cli.command("rotate")
def keys_rotate():
    """Sign new codes with a new key; the old public key stays published until its codes expire."""
    kid, old = keys.rotate()
    click.echo(f"active key: {kid}")
    if old:
        click.echo(f"retired key: {old} (published until its last code expires)")


def _report(report, what: str) -> None:
    from flask_babel import force_locale

    from app.services.imports import row_error_text

    with force_locale("en"):
        for line, code, params in report.rejected:
            click.echo(f"  rejected line {line}: {row_error_text(code, params)}", err=True)
    click.echo(f"{what}: {report.rows} rows, {len(report.accepted)} valid, {len(report.rejected)} rejected")
    if report.applied:
        click.echo(f"applied; {report.recoloured} people re-evaluated with a new verdict")
    else:
        click.echo(
            "nothing was written" + (" (fix the rejected rows, or pass --skip-invalid)" if report.rejected else "")
        )
        if report.rejected:
            raise SystemExit(1)


@import_cli.command("risk-areas")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Apply the valid rows even if some are rejected.")
def import_risk_areas(csv_file, skip_invalid):
    """CSV with columns district,level,start[,end] (level high/medium or 高/中)."""
    from app.services.imports import import_risk_areas as run

    _report(run(csv_file.read_text(encoding="utf-8"), f"cli:{csv_file.name}", skip_invalid), "risk areas")


@import_cli.command("control-list")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Apply the valid rows even if some are rejected.")
def import_control_list(csv_file, skip_invalid):
    """CSV with columns doc_number,status,start[,end][,doc_kind]."""
    from app.services.imports import import_control_list as run

    _report(run(csv_file.read_text(encoding="utf-8"), f"cli:{csv_file.name}", skip_invalid), "control list")


@click.command("purge")
@click.option("--days", type=click.IntRange(min=1), help="Retention period (default: RETENTION_DAYS, 28).")
def purge(days):
    """Delete check-ins, declarations and scans older than the retention period."""
    from app.services.retention import purge as run

    counts = run(days)
    click.echo(", ".join(f"{count} {what}" for what, count in counts.items()) + " deleted")


@click.command("tally")
def tally():
    """Store today's colour counts per district for the overview charts (run daily, after `flask recompute`)."""
    from app.infra.clock import local_today
    from app.services.oversight import take_tally

    day = local_today()
    click.echo(f"{day}: {take_tally(day)} district and colour counts stored")


@click.command("recompute")
def recompute():
    """Daily full recompute: re-evaluate everyone whose colour could have changed; their old codes are revoked."""
    import time

    from app.extensions import db
    from app.services.colours import recolour_all

    started = time.perf_counter()
    result = recolour_all(trigger="daily")
    db.session.commit()
    click.echo(
        f"evaluated {result.evaluated}, changed {result.changed}, worsened {result.worsened}, "
        f"improved {result.improved} in {time.perf_counter() - started:.2f} s"
    )


@click.command("seed-demo")
def seed_demo():
    """Demo residents, one for each colour; prints their phone numbers."""
    from app.dev.demo import seed

    for line in seed():
        click.echo(line)


def register_cli(app):
    """Attach the commands to `flask`."""
    app.cli.add_command(keys_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(staff_cli)
    app.cli.add_command(relatives_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(purge)
    app.cli.add_command(tally)
    app.cli.add_command(recompute)
