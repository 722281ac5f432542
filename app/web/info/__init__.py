"""Public information (防疫信息查询): open to everyone, no sign-in; kept by the service worker for offline reading."""

from flask import Blueprint

bp = Blueprint("info", __name__, url_prefix="/info")

from app.web.info import routes  # noqa: F401
