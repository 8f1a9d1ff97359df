"""Helpers shared by every domain's Flask-WTF forms."""
from wtforms.fields.choices import SelectChoice


def select_choices(pairs):
    """(value, label) pairs as SelectChoice: WTForms deprecated tuple choices in 3.2 and drops them in 3.4."""
    return [SelectChoice(value, label) for value, label in pairs]


def place_errors(form, exc, aliases=None):
    """Put each field error of a ValidationError under its form field.

    ``aliases`` maps a service's field name to the form's (e.g. contact_id → journalist).
    Returns the errors no field of the form could show, for the caller to show another way.
    """
    unplaced = {}
    for name, problem in exc.fields.items():
        name = (aliases or {}).get(name, name)
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [problem]
        else:
            unplaced[name] = problem
    return unplaced
