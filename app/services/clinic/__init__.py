"""Clinics: fever-clinic visits (发热门诊登记) and medical observation (医学观察).

Opening either is a registration record the clinician's device queues once a person is identified
(app.services.care_records: kinds `fever_visit` and `observation`); daily entries and closing an observation
are done online at the desk (observations.py). Staff see only their own institution's observations.

fields.py: the parsers the records and forms share, and the form options; fever_visits.py and
observations.py: each kind, its storage and (observations) its pages' use-cases."""

from app.services.clinic.errors import ClinicError
from app.services.clinic.fever_visits import CARE_KINDS as _VISIT_KINDS
from app.services.clinic.fields import form_options
from app.services.clinic.observations import CARE_KINDS as _OBSERVATION_KINDS
from app.services.clinic.observations import (
    ObservationDetail,
    ObservationPage,
    ObservationRow,
    add_entry,
    close_observation,
    observation_for,
    observations_at,
)

CARE_KINDS = {**_VISIT_KINDS, **_OBSERVATION_KINDS}

__all__ = [
    "CARE_KINDS",
    "ClinicError",
    "ObservationDetail",
    "ObservationPage",
    "ObservationRow",
    "add_entry",
    "close_observation",
    "form_options",
    "observation_for",
    "observations_at",
]
