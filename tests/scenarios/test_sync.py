"""`flask scenarios sync`: files become versions; unchanged files do nothing; old versions are kept."""
from sqlalchemy import func, select

from crisiscomm import SCENARIO_DIR
from crisiscomm.extensions import db
from crisiscomm.scenarios import service
from crisiscomm.scenarios.models import Scenario, ScenarioVersion

from .helpers import bump, valid_text, write


def sync(runner, folder):
    return runner.invoke(args=["scenarios", "sync", "--dir", str(folder)])


def _versions(slug):
    return [v.version for v in db.session.scalars(select(ScenarioVersion).join(Scenario)
                                                  .where(Scenario.slug == slug).order_by(ScenarioVersion.version))]


def test_sync_creates_then_does_nothing_then_adds_a_version(app, runner, scenario_dir):
    result = sync(runner, scenario_dir)
    assert result.exit_code == 0, result.output
    assert "created test-rumour v1" in result.output
    assert _versions("test-rumour") == [1]

    result = sync(runner, scenario_dir)
    assert result.exit_code == 0
    assert "0 created, 0 new versions, 1 unchanged, 0 errors." in result.output

    write(scenario_dir, "test-rumour.md", bump(valid_text(), 2, "2. Gọi đường dây nóng {{ department.phone }}."))
    result = sync(runner, scenario_dir)
    assert result.exit_code == 0, result.output
    assert "new version test-rumour v2" in result.output
    db.session.expire_all()
    scenario = service.get_scenario("test-rumour")
    assert _versions("test-rumour") == [1, 2]
    assert scenario.latest_version == 2
    assert "đường dây nóng" in scenario.version(2).body and "đường dây nóng" not in scenario.version(1).body


def test_changed_file_without_a_new_version_is_an_error_not_an_overwrite(app, runner, scenario_dir):
    sync(runner, scenario_dir)
    path = write(scenario_dir, "test-rumour.md", bump(valid_text(), 1, "2. Sửa lén mà không tăng phiên bản."))
    result = sync(runner, scenario_dir)
    assert result.exit_code == 1
    assert f"{path}:2: content changed but version 1 is already loaded: bump 'version' to 2" in result.output
    db.session.expire_all()
    assert "Sửa lén" not in service.get_scenario("test-rumour").version(1).body


def test_broken_file_is_reported_and_others_still_load(app, runner, scenario_dir):
    other = valid_text().replace("id: test-rumour", "id: test-other").replace("due_after: 15m", "due_after: soon")
    path = write(scenario_dir, "test-other.md", other)
    result = sync(runner, scenario_dir)
    assert result.exit_code == 1
    assert f"{path}:14: phases[1].due_after: bad duration" in result.output
    assert "created test-rumour v1" in result.output
    assert db.session.scalar(select(func.count(Scenario.id))) == 1


def test_setup_loads_the_repository_scenarios(app, runner):
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    count = db.session.scalar(select(func.count(Scenario.id)))
    assert count >= 12
    assert f"{count} created" in result.output
    # Running setup again (make run on an existing database) loads nothing twice.
    result = runner.invoke(args=["setup"])
    assert "0 created, 0 new versions" in result.output
    assert db.session.scalar(select(func.count(ScenarioVersion.id))) == count
    assert service.check_files(SCENARIO_DIR)
