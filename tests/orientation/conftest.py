import pytest

from crisiscomm.extensions import db

from .. import factories


@pytest.fixture
def hanoi(app, factory, clock):
    """Hà Nội's communication officer and a network of three schools in one group (one focal point each,
    the first with a network-member account), plus a school outside the group."""
    officer = factory.user("comms_officer", department="ha-noi", email="vtmai@hanoi.example.vn")
    group, schools = factories.orientation_network("ha-noi", 3, accounts=1)
    _, outside = factories.orientation_network("ha-noi", 1, group="Trường tiểu học")
    db.session.commit()
    return {"officer": officer, "group": group, "schools": schools, "outside": outside[0],
            "member": schools[0].focal_points[0].user}


from ..notifications.conftest import http_recorder, subscription  # noqa: E402,F401  (push and Apprise targets)


@pytest.fixture
def run_job(app):
    """Run one registered job as the scheduler does (its own app context, one commit); True when it succeeded."""
    from crisiscomm import jobs

    previous, jobs._app = jobs._app, app

    def run(job_id):
        assert jobs.run_job(job_id) is True
        db.session.expire_all()

    yield run
    jobs._app = previous
