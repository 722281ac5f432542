"""Fixtures for Flask-client tests: a fresh app on a database of its own per test, SQLite by default
(`pytest --postgresql`: a throwaway PostgreSQL cluster, tests/postgres.py)."""

import pytest

from app import create_app
from app.extensions import db
from tests.helpers import RequestScopedClient, close_checkpoints, fill_profile, make_config, sign_in
from tests.postgres import Cluster


def pytest_addoption(parser):
    parser.addoption(
        "--postgresql",
        action="store_true",
        help="run the tests on a throwaway PostgreSQL cluster instead of SQLite files",
    )


def pytest_collection_modifyitems(config, items):
    """Tests of SQLite's own behaviour (marked `sqlite`) do not apply on PostgreSQL."""
    if config.getoption("--postgresql"):
        skip = pytest.mark.skip(reason="about SQLite itself")
        for item in items:
            if "sqlite" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def postgres(request, tmp_path_factory):
    """With --postgresql, the run's cluster, with `database` holding the models' schema; None on SQLite."""
    if not request.config.getoption("--postgresql"):
        yield None
        return
    cluster = Cluster()
    try:
        cluster.database = cluster.create_database()
        app = create_app(make_config(tmp_path_factory.mktemp("schema"), cluster.url(cluster.database)))
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def database_url(postgres):
    """The database a test's app uses: on PostgreSQL the run's, emptied afterwards; on SQLite None
    (make_config's file under the test's tmp_path, which the app fixture fills with create_all)."""
    if postgres is None:
        yield None
        return
    yield postgres.url(postgres.database)
    postgres.empty(postgres.database)


@pytest.fixture
def empty_database_url(postgres):
    """A database without tables, for the migrations (None on SQLite: make_config's new file)."""
    if postgres is None:
        yield None
        return
    name = postgres.create_database()
    yield postgres.url(name)
    postgres.drop_database(name)


@pytest.fixture
def settings():
    """Per-test config overrides; set keys before the `app` fixture is first used."""
    return {}


@pytest.fixture
def app(tmp_path, settings, database_url):
    """An app in testing mode with its own database and keys, inside an app context."""
    app = create_app(make_config(tmp_path, database_url, **settings))
    app.test_client_class = RequestScopedClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        close_checkpoints(app)
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def resident(client):
    """A signed-in resident with a profile (no check-in yet)."""
    sign_in(client)
    fill_profile(client)
    return client
