"""The checked-in migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from crisiscomm import create_app
from crisiscomm.config import TestConfig
from crisiscomm.extensions import db

from .. import conftest


def _fresh_url(backend, tmp_path):
    if backend == "sqlite":
        return "sqlite:///" + os.path.join(tmp_path, "migrated.db"), None
    schema = f"m_{uuid.uuid4().hex[:10]}"
    conftest._pg_admin(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in conftest.PG_URL else "?"
    return f"{conftest.PG_URL}{sep}options=-csearch_path%3D{schema}", schema


@pytest.mark.parametrize("backend", conftest.BACKENDS)
def test_upgrade_matches_the_models(backend, tmp_path):
    url, schema = _fresh_url(backend, tmp_path)
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = url
    app = create_app(config)
    try:
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={
                    "compare_type": True, "include_object": lambda obj, name, type_, reflected, compare_to: not (
                        type_ == "table" and name == "apscheduler_jobs")})
                diff = compare_metadata(context, db.metadata)
            assert diff == []
            db.session.remove()
            db.engine.dispose()
    finally:
        if schema:
            conftest._pg_admin(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
