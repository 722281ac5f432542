"""Colours of people as use-cases: recolouring after a change and the daily full recompute.

rule_sets.py: the rule set, the facts window and its risk areas; facts_query.py: people's facts read in a
few set-based queries; prefilter.py: who the full recompute evaluates; recolouring.py: evaluate, store, revoke.
"""

from app.services.colours.prefilter import candidates
from app.services.colours.recolouring import Recoloured, recolour, recolour_all
from app.services.colours.rule_sets import active_risk_areas, facts_window_start, rule_set

__all__ = [
    "Recoloured",
    "active_risk_areas",
    "candidates",
    "facts_window_start",
    "recolour",
    "recolour_all",
    "rule_set",
]
