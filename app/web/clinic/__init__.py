"""Clinicians (医护人员): identify patients by code or ID number, fever-clinic visits, medical observation,
visits by the medical card, and the green channel for people without a phone."""

from flask import Blueprint

bp = Blueprint("clinic", __name__, url_prefix="/clinic")

from app.web.clinic import routes  # noqa: F401
