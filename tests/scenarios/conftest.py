import pytest

from crisiscomm.extensions import db
from crisiscomm.scenarios import service

from .helpers import valid_text, write


@pytest.fixture
def scenario_dir(tmp_path):
    """A folder holding the fixture scenario; tests write new versions into it."""
    write(tmp_path, "test-rumour.md", valid_text())
    return tmp_path


@pytest.fixture
def scenario(app, scenario_dir, departments):
    report = service.sync(str(scenario_dir))
    assert report.ok, report.errors
    db.session.commit()
    return service.get_scenario("test-rumour")
