"""Forms and labels for the enterprise pages: the declaration, the employee's registration, the survey and
the authority's decision."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.domain.enterprises import EMPLOYEES_MAX, SURVEY_TEXT_MAX
from app.services.enterprises.declarations import check_code
from app.services.errors import DomainError
from app.web.authority.forms import DayField

# The sections of GB/T 4754-2017 (国民经济行业分类).
INDUSTRY_LABELS = {
    "A": _l("Agriculture, forestry, animal husbandry and fishery"),
    "B": _l("Mining"),
    "C": _l("Manufacturing"),
    "D": _l("Electricity, heat, gas and water production and supply"),
    "E": _l("Construction"),
    "F": _l("Wholesale and retail trade"),
    "G": _l("Transport, storage and postal services"),
    "H": _l("Accommodation and catering"),
    "I": _l("Information transmission, software and information technology services"),
    "J": _l("Finance"),
    "K": _l("Real estate"),
    "L": _l("Leasing and business services"),
    "M": _l("Scientific research and technical services"),
    "N": _l("Water conservancy, environment and public facilities management"),
    "O": _l("Resident services, repair and other services"),
    "P": _l("Education"),
    "Q": _l("Health and social work"),
    "R": _l("Culture, sports and entertainment"),
    "S": _l("Public administration, social security and social organisations"),
    "T": _l("International organisations"),
}
SCALE_LABELS = {
    "large": _l("Large enterprise"),
    "medium": _l("Medium-sized enterprise"),
    "small": _l("Small enterprise"),
    "micro": _l("Micro enterprise"),
    "individual": _l("Individual business (个体工商户)"),
}
STATUS_LABELS = {
    "submitted": _l("Waiting for review"),
    "returned": _l("Returned: please fix and file again"),
    "approved": _l("Approved"),
}
DECISION_LABELS = {"approved": _l("Approve"), "returned": _l("Return it with what to fix")}
PROBLEM_LABELS = {
    "staff": _l("Not enough staff back at work"),
    "raw_materials": _l("Raw materials in short supply"),
    "funds": _l("Short of funds"),
    "orders": _l("Too few orders"),
    "logistics": _l("Transport and logistics held up"),
    "prevention_supplies": _l("Short of prevention supplies (masks, thermometers, disinfectant)"),
    "policy": _l("Unclear policies, or policy support needed"),
}
# What the roster tells the head about an employee's colour: the same words for everyone of that colour,
# never the reasons behind it (those are the employee's health data, on their own code page).
INSTRUCTION_LABELS = {
    "work": _l("May work today. Keep checking in every day."),
    "yellow": _l(
        "May not work today. They follow the instructions on their own code page (such as health monitoring "
        "or a test) and come back once their code is green."
    ),
    "red": _l(
        "May not work today. They are under medical care or isolation: do not ask them to come in; they follow "
        "the health authority's and their community's instructions."
    ),
    "no_code": _l("May not work today: no health code yet. They must fill in their profile and check in first."),
}
MAY_WORK_LABELS = {True: _l("Yes: may work today"), False: _l("No: may not work today")}
ROSTER_HEADINGS = {
    "name": _l("Name"),
    "phone": _l("Mobile number"),
    "department": _l("Department or post"),
    "colour": _l("Health code today"),
    "may_work": _l("May work today"),
    "instruction": _l("What to do"),
    "returned_from": _l("Returns from"),
    "returned_on": _l("Returns to work on"),
}


class DeclarationForm(FlaskForm):
    """The enterprise and its resumption declaration (复工复产申报)."""

    name = StringField(
        _l("Enterprise name (as on the business licence)"),
        validators=[InputRequired(_l("Please enter the enterprise's name.")), Length(max=100)],
    )
    credit_code = StringField(
        _l("Unified social credit code (18 characters)"),
        validators=[InputRequired(_l("Please enter the unified social credit code.")), Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    scale = SelectField(_l("Size"), choices=[SelectChoice(k, v) for k, v in SCALE_LABELS.items()], default="small")
    industry = SelectField(
        _l("Industry"),
        choices=[SelectChoice("", _l("Choose…"))] + [SelectChoice(k, v) for k, v in INDUSTRY_LABELS.items()],
        validators=[InputRequired(_l("Please choose the industry."))],
    )
    district = SelectField(_l("District"), validators=[InputRequired(_l("Please choose the district."))])
    address = StringField(
        _l("Address of the workplace"),
        validators=[InputRequired(_l("Please enter the address.")), Length(max=200)],
    )
    employees = IntegerField(
        _l("Number of employees"),
        validators=[
            InputRequired(_l("Please enter the number of employees.")),
            NumberRange(1, EMPLOYEES_MAX, _l("Please enter a number from 1 to %(max)s.", max=EMPLOYEES_MAX)),
        ],
        render_kw={"inputmode": "numeric"},
    )
    contact_name = StringField(
        _l("Contact person"),
        validators=[InputRequired(_l("Please enter the contact person's name.")), Length(max=30)],
    )
    contact_phone = StringField(
        _l("Contact's mobile number"),
        validators=[InputRequired(_l("Please enter the contact's mobile number.")), Length(max=11)],
        render_kw={"inputmode": "numeric", "maxlength": 11, "autocomplete": "tel"},
    )
    measures = TextAreaField(
        _l("Prevention measures"),
        validators=[InputRequired(_l("Please describe the prevention measures.")), Length(max=2000)],
    )
    promise = BooleanField(
        _l("I am responsible for this enterprise and the information is true."),
        validators=[DataRequired(_l("Please confirm that the information is true."))],
    )

    def validate_credit_code(self, field):
        """Say what is wrong with the code at once, with the other fields' errors (the service checks it again)."""
        if field.data:
            try:
                check_code(field.data)
            except DomainError as error:
                raise ValidationError(error.message) from None


class JoinForm(FlaskForm):
    """An employee's return-to-work registration (员工返岗登记)."""

    returned_from = SelectField(
        _l("Where you return from"), validators=[InputRequired(_l("Please choose where you return from."))]
    )
    returned_on = DayField(
        _l("The day you return to work"), validators=[InputRequired(_l("Please enter a date like 2026-11-22."))]
    )
    department = StringField(_l("Department or post (optional)"), validators=[Optional(), Length(max=50)])


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SurveyForm(FlaskForm):
    """The resumption survey (复工情况调查)."""

    problems = CheckboxesField(
        _l("Problems you meet in resuming work (tick all that apply)"),
        choices=[SelectChoice(k, v) for k, v in PROBLEM_LABELS.items()],
        validate_choice=False,  # the service names a choice that is not on the list
    )
    note = TextAreaField(_l("Anything else (optional)"), validators=[Optional(), Length(max=SURVEY_TEXT_MAX)])


class DecisionForm(FlaskForm):
    """The authority's decision on a declaration."""

    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice(k, v) for k, v in DECISION_LABELS.items()],
        validators=[InputRequired(_l("Please choose a decision."))],
    )
    reasons = TextAreaField(
        _l("What the enterprise must fix (needed when you return it)"), validators=[Optional(), Length(max=1000)]
    )
