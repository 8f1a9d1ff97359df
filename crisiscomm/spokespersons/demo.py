"""Demo assignments: Hà Nội's official spokesperson, an authorisation ending soon, HCM's director."""
from datetime import date, timedelta

from sqlalchemy import func, select

from ..clock import now
from ..departments.service import find_by_code
from ..extensions import db
from ..users.service import find_by_email
from . import service
from .models import SpokespersonAssignment


def create_demo_assignments():
    hanoi = find_by_code("ha-noi")
    if hanoi is None or db.session.scalar(select(func.count(SpokespersonAssignment.id))):
        return
    t = now()
    spokesperson = find_by_email("phatngon@hanoi.demo")
    deputy = find_by_email("phogiamdoc@hanoi.demo")
    if spokesperson is not None:
        service.assign(department=hanoi, user=spokesperson, kind=service.OFFICIAL,
                       decision_number="1520/QĐ-SGDĐT", decision_date=date(2025, 7, 15),
                       effective_from=t - timedelta(days=300), public_phone="024 3825 1234",
                       public_email="phatngon@hanoi.edu.vn", note="Chánh Văn phòng Sở kiêm người phát ngôn.")
    if deputy is not None:
        service.assign(department=hanoi, user=deputy, kind=service.AUTHORIZED, topics=["tuyển sinh lớp 10"],
                       decision_number="845/QĐ-SGDĐT", decision_date=(t - timedelta(days=26)).date(),
                       effective_from=t - timedelta(days=25), effective_to=t + timedelta(days=5),
                       public_phone="024 3825 5678",
                       note="Ủy quyền phát ngôn về kỳ thi tuyển sinh vào lớp 10 năm học 2026–2027.")
    hcm = find_by_code("ho-chi-minh")
    director = find_by_email("giamdoc@hcm.demo")
    if hcm is not None and director is not None:
        service.assign(department=hcm, user=director, kind=service.OFFICIAL, decision_number="902/QĐ-SGDĐT",
                       decision_date=date(2025, 7, 10), effective_from=t - timedelta(days=290),
                       public_phone="028 3829 1234", public_email="vanphong@hcm.edu.vn")
    db.session.flush()
