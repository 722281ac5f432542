"""The words the colour rules and their data share: colours and their severity, control statuses, risk levels."""

COLOURS = ("green", "yellow", "red")  # from best to worst
SEVERITY = {colour: rank for rank, colour in enumerate(COLOURS)}  # a worse colour ranks higher
NOT_GREEN = COLOURS[1:]  # the colours a gate stops, a resident may appeal, healthy check-ins recover from
CONTROL_STATUSES = ("confirmed", "suspected", "asymptomatic", "close_contact", "secondary_contact")
# Why a clinic keeps a person under medical observation (医学观察): the control list's words for the national
# case categories a clinic observes, and fever patients not yet diagnosed (发热待排查), the usual fever-clinic case.
OBSERVATION_CASE_TYPES = ("suspected", "confirmed", "asymptomatic", "close_contact", "fever_screening")
RISK_LEVELS = ("high", "medium")

# Body temperatures (°C) a check-in or a gate may record; anything outside is a typing error.
BODY_TEMPERATURE_C = (34.0, 43.0)

# Medical institutions and pharmacies, and which staff role works at which kind.
CLINIC_KINDS = ("fever_clinic", "general_hospital", "community_health_centre")
INSTITUTION_KINDS = (*CLINIC_KINDS, "pharmacy")
INSTITUTION_ROLES = {"clinician": CLINIC_KINDS, "pharmacist": ("pharmacy",)}
