"""Where a request of the exam-day mix spends its CPU: each endpoint of bench/load.py's mix run in-process through
the WSGI stack (no sockets): CPU time per request measured plainly, then the same requests again under cProfile
for where that time goes.

    python bench/profile_mix.py [--database-url URL] [--years 1 [--reuse]] [--rounds 100] [--top 25] [--only NAME]

Prints CPU ms per request for each endpoint and the functions that take the most CPU over the whole mix
(cumulative and own time); writes JSON to bench/results/. Run it before and after a change to see what it saved.
"""
import argparse
import cProfile
import io
import pstats
import time

from common import database_arguments, database_url, prepare_database, write_result
from load import INCIDENT, INQUIRY, READS

# The groups a profile line is counted under, by the file it is in (first match wins).
AREAS = [("jinja2", "templates (Jinja)"), ("babel", "translations (Babel)"), ("flask_babel", "translations (Babel)"),
         ("sqlalchemy", "ORM and SQL (SQLAlchemy)"), ("psycopg", "database driver"), ("sqlite3", "database driver"),
         ("json", "JSON"), ("werkzeug", "WSGI (Werkzeug)"), ("flask", "Flask"), ("crisiscomm", "crisiscomm code")]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    database_arguments(parser)
    parser.add_argument("--rounds", type=int, default=100, help="requests per endpoint")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", help="profile only the endpoints whose name contains this (e.g. 'POST incidents')")
    args = parser.parse_args()
    url = database_url(args, "profile")
    tokens = prepare_database(url, years=args.years, reuse=args.reuse)

    from crisiscomm import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "NOTIFY_DISPATCH": "off", "FIGURES_CACHE_SECONDS": 30})
    client = app.test_client()
    per_endpoint = {}
    profile = cProfile.Profile(time.process_time)
    for name, method, path, body, who, _weight in READS + [INQUIRY, INCIDENT]:
        if args.only and args.only not in name:
            continue
        headers = {"Authorization": f"Bearer {tokens['ministry'] if who == 'ministry' else tokens['officer'][0]}"}
        def run(first):
            for i in range(first, first + args.rounds):
                response = client.open(path, method=method, headers=headers, json=body(i) if body else None)
                if response.status_code not in (200, 201):
                    raise SystemExit(f"{name}: {response.status_code} {response.get_data(as_text=True)[:300]}")

        run(0)  # warm: caches, compiled statements, the figures' first computation
        started = time.process_time()
        run(args.rounds)  # measured without the profiler, whose own cost would count
        per_endpoint[name] = round((time.process_time() - started) * 1000 / args.rounds, 2)
        print(f"  {name:30} {per_endpoint[name]:7.2f} ms CPU per request")
        profile.enable()
        run(2 * args.rounds)
        profile.disable()

    stats = pstats.Stats(profile)
    total = sum(row[2] for row in stats.stats.values())  # own time of every function = all CPU measured
    areas = {}
    for (filename, _line, _func), row in stats.stats.items():
        area = next((label for key, label in AREAS if f"/{key}/" in filename or filename.endswith(f"/{key}.py")),
                    "other (stdlib, drivers' C code)")
        areas[area] = areas.get(area, 0) + row[2]
    print("\nCPU by area (own time):")
    for area, seconds in sorted(areas.items(), key=lambda kv: -kv[1]):
        print(f"  {area:34} {100 * seconds / total:5.1f} %")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
        print(f"\nby {order} time:" + out.getvalue().split("\n", 6)[-1].rstrip())
    path = write_result("profile", {"database": url.split("@")[-1], "years": args.years, "rounds": args.rounds,
                                    "cpu_ms_per_request": per_endpoint,
                                    "areas_percent": {a: round(100 * s / total, 1) for a, s in areas.items()}})
    print(f"result: {path}")


if __name__ == "__main__":
    main()
