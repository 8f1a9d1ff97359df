import pytest

from crisiscomm.extensions import db
from crisiscomm.inquiries import service
from crisiscomm.rules.service import seed_defaults


@pytest.fixture
def setup_data(app, departments, clock):
    seed_defaults()
    service.seed_refusal_grounds()
    db.session.commit()
    return departments


@pytest.fixture
def officer(factory, setup_data):
    return factory.user("comms_officer", email="officer@hanoi.vn", name="Vũ Thị Mai")


@pytest.fixture
def spokesperson(factory, setup_data):
    return factory.user("spokesperson", email="spokes@hanoi.vn", name="Đỗ Minh Tuấn")


@pytest.fixture
def hanoi(factory, setup_data):
    return factory.department("ha-noi")


def make_inquiry(user, department, **kw):
    data = dict(subject="Tuyển sinh lớp 10", journalist_name="Nguyễn Thu Trang", outlet="Báo Giáo dục và Thời đại",
                questions="Khi nào công bố điểm chuẩn?")
    data.update(kw)
    inquiry = service.create_inquiry(user=user, department=department, **data)
    db.session.commit()
    return inquiry
