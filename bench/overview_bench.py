"""How long the Ministry overview and the scorecard take with ten years of data.

    python bench/overview_bench.py [DATABASE_URL]

Seeds 34 active Departments with ten years of incidents (60 000), briefings (1 400), contacts (13 600) and
spokesperson assignments on a fresh database, then times build_overview() and build_scorecard() (best of 5).
The target is under 300 ms for the overview page.
"""
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from crisiscomm import create_app  # noqa: E402
from crisiscomm.extensions import db  # noqa: E402


def main():
    url = sys.argv[1] if len(sys.argv) > 1 else "sqlite:///" + tempfile.mktemp(suffix=".db")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context(), app.test_request_context():
        from flask_login import login_user
        from sqlalchemy import insert, select

        from crisiscomm.contacts.models import Contact
        from crisiscomm.departments import service as departments
        from crisiscomm.departments.models import Department
        from crisiscomm.incidents.models import Incident
        from crisiscomm.overview import service
        from crisiscomm.users import service as users

        db.drop_all()
        db.create_all()
        departments.load_reference()
        departments.apply_merger()
        admin = users.create_user(email="bench@moet.vn", name="Bench", role="ministry_admin",
                                  password="bench-password-123")
        db.session.commit()
        ids = db.session.scalars(select(Department.id).where(Department.status == "active")).all()
        rnd = random.Random(7)
        end = datetime.now(timezone.utc)
        start = end - timedelta(days=3650)
        rows = []
        for n in range(60000):
            at = start + timedelta(seconds=rnd.randrange(3650 * 86400))
            rows.append({"department_id": rnd.choice(ids), "title": f"Sự cố {n}", "category": "exam",
                         "exam_related": rnd.random() < .3, "occurred_at": at, "reported_at": at, "description": "",
                         "severity": "high", "status": "closed" if rnd.random() < .98 else "open",
                         "drill": rnd.random() < .05, "created_at": at, "updated_at": at})
        db.session.execute(insert(Incident), rows)
        rows = []
        for n in range(13600):
            v = start + timedelta(seconds=rnd.randrange(3650 * 86400))
            rows.append({"department_id": rnd.choice(ids), "full_name": f"Phóng viên {n}", "outlet": "Báo",
                         "outlet_type": "online", "phones": [], "last_verified_at": v, "archived": rnd.random() < .1,
                         "search_text": "", "created_at": start, "updated_at": start})
        db.session.execute(insert(Contact), rows)
        try:
            from crisiscomm.briefings.models import Briefing

            rows = []
            for dep in ids:
                for q in range(40):
                    at = start + timedelta(days=91 * q + rnd.randrange(60))
                    rows.append({"department_id": dep, "title": "Họp báo", "starts_at": at,
                                 "ends_at": at + timedelta(hours=1), "status": "held", "attachments": [],
                                 "internal_units": [], "sequence": 0, "created_at": at, "updated_at": at})
            db.session.execute(insert(Briefing), rows)
        except ImportError:
            pass
        db.session.commit()
        login_user(admin)
        for name, fn in (("overview", lambda: service.build_overview()),
                         ("scorecard", lambda: service.build_scorecard())):
            times = []
            for _ in range(5):
                t = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t) * 1000)
                db.session.expire_all()
            print(f"{name}: best {min(times):.0f} ms, worst {max(times):.0f} ms ({db.engine.dialect.name})")


if __name__ == "__main__":
    main()
