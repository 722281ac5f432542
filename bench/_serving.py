"""Shared plumbing of the HTTP benchmarks: serve OneCode on 127.0.0.1 from a child process, sign users in."""

import multiprocessing
import re
import threading
import time
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

USER_AGENT = "onecode-bench"  # the same on sign-in and on every request (Flask-Login session protection)
SESSION_COOKIES = ("session", "remember_token")


# --------------------------------------------------------------------------- server process


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug request handler that writes no line per request."""

    def log_request(self, *args, **kwargs):
        pass


def create_bench_app(workdir: str, **settings):
    """OneCode with its SQLite file and keys in `workdir`, CSRF and rate limits off (and any other settings)."""
    from app import create_app

    return create_app(
        {
            "ENV_NAME": "development",
            "SECRET_KEY": "bench-secret",
            "DOC_HASH_KEY": "bench-doc-key",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(workdir) / 'bench.sqlite'}",
            "KEYS_DIR": str(Path(workdir) / "keys"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            **settings,
        }
    )


def sign_in_by_sms(app, phone: str):
    """A test client signed in as `phone` through the SMS sign-in pages (code read from the SMS outbox)."""
    from app.extensions import db
    from app.models import SmsMessage

    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    assert client.post("/auth/sign-in", data={"phone": phone}).status_code == 302
    with app.app_context():
        body = db.session.scalars(
            db.select(SmsMessage.body).where(SmsMessage.phone == phone).order_by(SmsMessage.id.desc())
        ).first()
    code = re.search(r"\d{6}", body).group()
    assert client.post("/auth/verify", data={"phone": phone, "code": code}).status_code == 302
    return client


def cookie_header(client) -> str:
    """The Cookie header value carrying a test client's session cookies."""
    return "; ".join(f"{name}={client.get_cookie(name).value}" for name in SESSION_COOKIES if client.get_cookie(name))


def start_http_servers(*wsgi_apps) -> list[BaseWSGIServer]:
    """Serve each WSGI app with a threaded Werkzeug server on 127.0.0.1 (free port, no request log)."""
    servers = [
        make_server("127.0.0.1", 0, wsgi_app, threaded=True, request_handler=QuietRequestHandler)
        for wsgi_app in wsgi_apps
    ]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return servers


def stop_http_servers(servers: list[BaseWSGIServer], app) -> None:
    """Shut the servers down and close the app's database connections."""
    from app.extensions import db

    for server in servers:
        server.shutdown()
        server.server_close()
    with app.app_context():
        db.engine.dispose()


def serve_until_stop(conn, servers: list[BaseWSGIServer], app) -> None:
    """Wait for the client's "stop", stop the servers, then answer "stopped"."""
    conn.recv()
    stop_http_servers(servers, app)
    conn.send("stopped")


# --------------------------------------------------------------------------- client process


def start_server_process(target, *args):
    """Run target(conn, *args) in a spawned daemon process; returns (this side's conn, process)."""
    context = multiprocessing.get_context("spawn")
    conn, child_conn = context.Pipe()
    process = context.Process(target=target, args=(child_conn, *args), daemon=True)
    process.start()
    return conn, process


def receive_from_server(conn, process, timeout: float | None = None):
    """The server process's next message; exits if it dies or stays silent longer than `timeout` s."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while not conn.poll(0.2):
        if not process.is_alive() or (deadline is not None and time.monotonic() > deadline):
            raise SystemExit("the server process stopped or did not answer (see its traceback above)")
    return conn.recv()


def stop_server_process(conn, process, message="stop", reply_timeout: float = 10.0) -> None:
    """Send `message` to a live server process, wait for its answer, join it; terminate it if it hangs."""
    if process.is_alive():
        conn.send(message)
        if conn.poll(reply_timeout):
            conn.recv()
    process.join(10)
    if process.is_alive():
        process.terminate()
