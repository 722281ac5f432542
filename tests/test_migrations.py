"""The Flask-Migrate migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from tests.helpers import make_config


def test_upgrade_from_empty_matches_the_models(tmp_path, empty_database_url):
    app = create_app(make_config(tmp_path, empty_database_url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        db.engine.dispose()
    assert differences == []


def test_upgrading_keeps_revoked_codes_revoked(tmp_path, empty_database_url):
    """Revocations move from the codes' own rows to code_revocations; the trust bundle still lists them."""
    app = create_app(make_config(tmp_path, empty_database_url))
    with app.app_context():
        upgrade(revision="468ba189530e")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO users (id, phone, role, created_at) VALUES (1, '13800000001', 'resident', '2026-11-20')"
            )
            connection.exec_driver_sql(
                "INSERT INTO issued_codes (jti, user_id, kind, colour, kid, token, issued_at, expires_at, revoked_at,"
                " revoked_reason) VALUES ('revoked', 1, 'self', 'green', 'k', 't', '2026-11-21 08:00:00.000000',"
                " '2099-01-01 00:00:00.000000', '2026-11-21 09:00:00.000000', 'colour_changed'),"
                " ('valid', 1, 'self', 'green', 'k', 't', '2026-11-21 09:00:00.000000', '2099-01-01 00:00:00.000000',"
                " NULL, NULL)"
            )
        upgrade()
        from app.domain.scanning import jti_hash
        from app.models import IssuedCode
        from app.services.trust_bundle import revoked_jti_hashes

        revoked, valid = db.session.get(IssuedCode, "revoked"), db.session.get(IssuedCode, "valid")
        assert revoked.revoked_reason == "colour_changed" and revoked.revoked_at is not None
        assert valid.revoked_at is None
        assert revoked_jti_hashes() == [jti_hash("revoked")]
        db.session.remove()
        db.engine.dispose()
