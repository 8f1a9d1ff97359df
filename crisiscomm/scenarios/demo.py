"""Demo records of the scenario library (``flask setup --demo``)."""
from datetime import timedelta

from sqlalchemy import select

from .. import permissions
from ..clock import now
from ..departments.service import find_by_code
from ..extensions import db
from ..users.models import User
from . import distribution, service
from .models import Scenario


def create_demo():
    """Distribute every scenario's latest version to all active Departments; Hà Nội acknowledges some and
    adapts one with its own contacts."""
    service.sync()
    centre = db.session.scalar(select(User).where(User.role.in_(permissions.holders("post.ministry_comms"))).order_by(User.id).limit(1))
    hanoi = find_by_code("ha-noi")
    if centre is None or hanoi is None:
        return
    scenarios = db.session.scalars(select(Scenario).order_by(Scenario.slug)).all()
    sent_at = now() - timedelta(days=10)
    for scenario in scenarios:
        for record in distribution.distribute(scenario=scenario, version=scenario.latest_version, departments="all",
                                         by=centre):
            record.distributed_at = sent_at
    officer = db.session.scalar(select(User).where(User.department_id == hanoi.id, User.role.in_(permissions.holders("post.comms")))
                                .order_by(User.id).limit(1))
    if officer is None:
        return
    for i, scenario in enumerate(scenarios):
        if i % 3 == 2:
            continue  # a third left unacknowledged: the centre's table shows who has not confirmed
        record = distribution.distribution_for(department_id=hanoi.id, version=scenario.version())
        distribution.acknowledge(distribution=record, user=officer)
        record.acknowledged_at = sent_at + timedelta(days=1, hours=i)
    leak = next((s for s in scenarios if s.slug == "exam-paper-leak"), None)
    if leak is not None:
        body = leak.version().body.replace(
            "## Kênh truyền thông\n",
            "## Kênh truyền thông\n\n- **Đường dây nóng Ban Chỉ đạo thi Hà Nội**: 024 3939 2345 (trực 24/24 trong "
            "các ngày thi).\n", 1)
        service.save_adaptation(scenario=leak, department=hanoi, body=body, user=officer)
    db.session.flush()
