"""Enterprises back at work (单位企业复工复产): a resident registers an enterprise and files its resumption
declaration, hands out its join link, keeps the roster and answers the survey (`routes`); employees register
under it by the link; the authority's staff review declarations and read the survey's results (`review`)."""

from flask import Blueprint

bp = Blueprint("enterprise", __name__, url_prefix="/enterprise")

from app.web.enterprise import review, routes  # noqa: F401
