from functools import partial
from types import SimpleNamespace

import pytest
from flask import g
from flask_babel import refresh

from crisiscomm.extensions import db
from crisiscomm.rules.service import seed_defaults

from .. import factories


@pytest.fixture
def world(app, factory, clock):
    """Hà Nội with a director, two steering-board members, a deputy, a spokesperson, a communication officer;
    another Department's officer; the Ministry's admin and communication centre; the deadline rules."""
    @app.teardown_request
    def _forget_request_user(exc):
        # The test holds one app context for the whole test, so flask.g outlives each request:
        # forget who signed in, as a real server would between requests.
        g.pop("_login_user", None)
        g.pop("auth_via_token", None)
        g.pop("csrf_token", None)
        refresh()  # Flask-Babel caches the locale on the (shared) app context

    factory.department("ha-noi")
    seed_defaults()
    db.session.commit()
    w = SimpleNamespace()
    user = partial(factories.user, quick=True)  # hashed once per session: keeps the suite fast
    w.director = user("director", email="giamdoc@hanoi.edu.vn", name="Nguyễn Văn Hùng")
    w.board1 = user("steering_board", email="bcd1@hanoi.edu.vn", name="Hoàng Văn Nam")
    w.board2 = user("steering_board", email="bcd2@hanoi.edu.vn", name="Trần Thị Bích")
    w.deputy = user("deputy_director", email="phogiamdoc@hanoi.edu.vn", name="Phạm Thị Lan")
    w.spokesperson = user("spokesperson", email="phatngon@hanoi.edu.vn", name="Đỗ Minh Tuấn")
    w.officer = user("comms_officer", email="truyenthong@hanoi.edu.vn", name="Vũ Thị Mai")
    w.viewer = user("viewer", email="xem@hanoi.edu.vn")
    w.other = user("comms_officer", department="ho-chi-minh", email="truyenthong@hcm.edu.vn")
    w.admin = user("ministry_admin", email="admin@moet.gov.vn", name="Trần Quang Minh")
    w.centre = user("ministry_comms", email="truyenthong@moet.gov.vn", name="Lê Thu Hà")
    return w


def incident_body(**overrides):
    body = {"title": "Ảnh đề thi Ngữ văn lộ trên mạng xã hội", "category": "exam", "exam_related": True,
            "exam": "Kỳ thi tốt nghiệp THPT năm 2026", "occurred_at": "2026-06-26T07:50:00+07:00",
            "place": "Điểm thi THPT Chu Văn An", "description": "Ảnh chụp trang 1 đề thi xuất hiện lúc 7h50.",
            "severity": "high"}
    body.update(overrides)
    return body
