"""Helpers for the scenario tests: the fixture scenario text and variants of it."""
import os
from datetime import timedelta

from crisiscomm.clock import now
from crisiscomm.extensions import db
from crisiscomm.spokespersons.models import OFFICIAL, SpokespersonAssignment

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def valid_text():
    with open(os.path.join(FIXTURES, "valid.md"), encoding="utf-8") as fh:
        return fh.read()


def write(folder, name, text):
    path = os.path.join(str(folder), name)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


def bump(text, version, extra=""):
    """The fixture text with another version number and an extra line in the first-actions section."""
    text = text.replace("version: 1\n", f"version: {version}\n", 1)
    if extra:
        text = text.replace("1. Báo cáo {{ director.name }}.\n", "1. Báo cáo {{ director.name }}.\n" + extra + "\n", 1)
    return text


def make_official(department, user, public_phone=None, public_email=None):
    row = SpokespersonAssignment(department_id=department.id, user_id=user.id, kind=OFFICIAL,
                                 effective_from=now() - timedelta(days=30), public_phone=public_phone,
                                 public_email=public_email, topics=[])
    db.session.add(row)
    db.session.commit()
    return row
