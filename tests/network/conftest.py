from functools import partial
from types import SimpleNamespace

import pytest

from crisiscomm.extensions import db
from crisiscomm.rules.service import seed_defaults

from .. import factories


@pytest.fixture
def world(app, factory, clock):
    """Hà Nội with a director, a communication officer, a viewer and a school whose focal point has a network
    member account; another Department's officer and school; the Ministry's communication centre."""
    factory.department("ha-noi")
    factory.department("ho-chi-minh")
    seed_defaults()
    db.session.commit()
    w = SimpleNamespace()
    user = partial(factories.user, quick=True)
    w.director = user("director", email="giamdoc@hanoi.edu.vn", name="Nguyễn Văn Hùng")
    w.officer = user("comms_officer", email="truyenthong@hanoi.edu.vn", name="Vũ Thị Mai")
    w.viewer = user("viewer", email="xem@hanoi.edu.vn")
    w.other = user("comms_officer", department="ho-chi-minh", email="truyenthong@hcm.edu.vn")
    w.ministry = user("ministry_comms", email="ttt@moet.gov.vn")
    w.school = factories.school(name="Trường THPT Kim Liên", commune="Phường Kim Liên")
    w.focal = factories.focal_point(w.school, "Nguyễn Thị Hoa", phone="0912 345 678", email="hoa@kimlien.edu.vn")
    w.member = user("network_member", email="hoa@kimlien.edu.vn", name="Nguyễn Thị Hoa")
    w.focal.user = w.member
    w.other_school = factories.school("ho-chi-minh", name="Trường THPT Lê Hồng Phong", commune="Phường Chợ Quán")
    db.session.commit()
    return w
