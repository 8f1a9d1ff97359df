"""An orientation message to 1,000 focal points: gunicorn + a real SMTP sink.

    python bench/orientation.py [--database-url URL] [--recipients 1000] [--accounts 100] [--years 0]

A Department's network of --recipients schools (one focal point each, the first --accounts with a network-member
account, the others email only) in one group; one orientation message is created and sent in one POST. Prints the
request time (recipient rows and outbox rows written in one transaction) and the time from the request's start
until the outbox is drained: every email accepted by the SMTP sink and no row left pending, sending or retrying.
Writes JSON to bench/results/.
"""
import argparse
import json
import time

from common import SMTPSink, database_arguments, database_url, prepare_database, start_gunicorn, write_result


def build_network(url, recipients, accounts):
    """The schools, their focal points and the group (written directly, once); returns the group id."""
    from sqlalchemy import select

    from crisiscomm import create_app, permissions
    from crisiscomm.departments.service import find_by_code
    from crisiscomm.extensions import db
    from crisiscomm.network.models import FocalPoint, NetworkGroup, School
    from crisiscomm.users.models import User

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "NOTIFY_DISPATCH": "off"})
    with app.app_context():
        name = f"Bench {recipients}"
        group = db.session.scalar(select(NetworkGroup).where(NetworkGroup.name == name))
        if group is not None:
            return group.id
        dep = find_by_code("ha-noi")
        group = NetworkGroup(department_id=dep.id, name=name)
        for i in range(recipients):
            school = School(department_id=dep.id, name=f"Trường bench {i:04d}", level="upper_secondary")
            school.refresh_search_text()
            point = FocalPoint(department_id=dep.id, school=school, full_name=f"Đầu mối {i:04d}",
                               email=f"daumoi{i:04d}@bench.example.vn")
            if i < accounts:
                point.user = User(email=point.email, name=point.full_name, role=permissions.NETWORK_MEMBER,
                                  password_hash="!", department_id=dep.id)
            point.refresh_search_text()
            group.schools.append(school)
            db.session.add_all([school, point])
        db.session.add(group)
        db.session.commit()
        return group.id


def backlog(url):
    from crisiscomm import create_app
    from crisiscomm.extensions import db
    from crisiscomm.notifications.models import OPEN_STATES, Notification

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "NOTIFY_DISPATCH": "off"})
    with app.app_context():
        try:
            return db.session.query(Notification).filter(Notification.kind == "orientation",
                                                         Notification.state.in_(OPEN_STATES)).count()
        finally:
            db.session.remove()
            db.engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_arguments(parser)
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    url = database_url(args, "orientation")
    tokens = prepare_database(url, years=args.years, reuse=args.reuse)
    group_id = build_network(url, args.recipients, args.accounts)
    import httpx

    with SMTPSink() as smtp:
        proc, base, cmd = start_gunicorn(url, args.workers, smtp.port, threads=args.threads)
        try:
            before = len(smtp.messages)
            started = time.monotonic()
            response = httpx.post(f"{base}/api/v1/orientation/messages", timeout=args.timeout,
                                  headers={"Authorization": f"Bearer {tokens['officer'][0]}"},
                                  json={"subject": "Định hướng thông tin: bench", "holding_line": "Kỳ thi an toàn.",
                                        "targets": {"group_ids": [group_id]}, "send": True})
            request_s = time.monotonic() - started
            if response.status_code != 201:
                raise SystemExit(f"POST failed: {response.status_code} {response.text[:500]}")
            sent = response.json()["recipients"]
            # One email per focal point: the account holders' account email, the others' email with the link.
            expected = sent
            drained_s = None
            while time.monotonic() - started < args.timeout:
                with smtp.lock:
                    arrived = len(smtp.messages) - before
                if arrived >= expected and backlog(url) == 0:
                    drained_s = time.monotonic() - started
                    break
                time.sleep(0.2)
            with smtp.lock:
                arrived = len(smtp.messages) - before
        finally:
            proc.terminate()
            proc.wait()
    result = {"recipients": sent, "accounts": min(args.accounts, args.recipients), "request_s": round(request_s, 2),
              "drained_s": round(drained_s, 2) if drained_s else None, "emails_arrived": arrived,
              "database": "postgresql" if args.database_url else "sqlite", "workers": args.workers,
              "gunicorn": " ".join(cmd[2:])}
    print(f"POST /api/v1/orientation/messages (send to {sent} focal points): {request_s * 1000:.0f} ms")
    print(f"request start → outbox drained ({arrived} emails accepted by the SMTP sink): "
          + (f"{drained_s:.1f} s" if drained_s else f"not within {args.timeout:.0f} s"))
    print(json.dumps(result, ensure_ascii=False))
    print(f"result: {write_result('orientation', result)}")


if __name__ == "__main__":
    main()
