"""Demo accounts (one per role) and, through domain hooks, demo records. Only on an empty database."""
import csv
import os

from . import registry
from .users import service as users

DEMO_PASSWORD = "demo-password-2026"
_ACCOUNTS = os.path.join(os.path.dirname(__file__), "users", "data", "demo_accounts.csv")


def _demo_users():
    """(role, email, name, title, Department code or None, phone) of each demo account (users/data/)."""
    with open(_ACCOUNTS, encoding="utf-8", newline="") as f:
        return [(r["role"], r["email"], r["name"], r["title"], r["department"] or None, r["phone"])
                for r in csv.DictReader(f)]


DEMO_USERS = _demo_users()


def create_demo():
    created = []
    for role, email, name, title, department, phone in DEMO_USERS:
        if users.find_by_email(email) is None:
            users.create_user(email=email, name=name, role=role, password=DEMO_PASSWORD, department_code=department,
                              title=title, phone=phone)
        created.append((role, email, department))
    for hook in registry.items("demo"):
        hook()
    return {"password": DEMO_PASSWORD, "users": created}

