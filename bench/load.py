"""Exam-day load: gunicorn on loopback, a real SMTP sink, and a small asyncio HTTP/1.1 keep-alive client.

    python bench/load.py                                  # fresh SQLite file in bench/results/, no history
    python bench/load.py --years 10                       # with ten years of generated data (flask demo generate)
    python bench/load.py --years 10 --reuse               # keep the generated database of an earlier run
    python bench/load.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench --years 10
    python bench/load.py --years 10 --reuse --alert-instance   # the production layout (deploy/): incidents to
                                                               # their own gunicorn, the readers' one at nice 10
    python bench/load.py --years 10 --reuse --instances 2      # two app instances, round robin

Mix: 70 % reads (Department dashboards and lists: incidents, inquiries, overdue inquiries, inquiry
figures; search: contacts, statement library; the Ministry overview), 20 % inquiry logging, 10 % incident
creation with escalation to a real local SMTP server (aiosmtpd). Prints throughput and p50/p95/p99 per
endpoint, bare /healthz throughput as the ceiling (measured before and after the mix, the higher one counts),
the mix's share of it, CPU per request of the app workers and of the client, RSS per worker; writes JSON to
bench/results/ (bench/report.py turns the newest ones into README's table).
"""
import argparse
import asyncio
import os
import random
import time
from datetime import datetime, timezone

from common import (HTTPConnection, SMTPSink, cpu_seconds, database_arguments, database_url, machine_busy_seconds,
                    percentiles, postgres_pids, prepare_database, start_gunicorn, worker_pids, worker_rss_mb,
                    write_result)

# (name, method, path, body factory or None, who, weight)
READS = [
    ("GET incidents (list)", "GET", "/api/v1/incidents?department=ha-noi", None, "officer", 12),
    ("GET inquiries (list)", "GET", "/api/v1/inquiries?department=ha-noi", None, "officer", 14),
    ("GET inquiries overdue", "GET", "/api/v1/inquiries?department=ha-noi&overdue=true", None, "officer", 10),
    ("GET inquiries/stats", "GET", "/api/v1/inquiries/stats?department=ha-noi", None, "officer", 6),
    ("GET contacts?q= (search)", "GET", "/api/v1/contacts?department=ha-noi&q=nguyen", None, "officer", 12),
    ("GET statements?q= (search)", "GET", "/api/v1/statements?department=ha-noi&q=diem%20thi", None, "officer", 10),
    ("GET overview (Ministry)", "GET", "/api/v1/overview", None, "ministry", 6),
]
INQUIRY = ("POST inquiries", "POST", "/api/v1/inquiries",
           # A province's press corps: 200 journalists call again and again (the first call makes the contact).
           lambda i: {"department": "ha-noi", "channel": "phone", "journalist_name": f"Phóng viên {i % 200}",
                      "outlet": "Báo Giáo dục và Thời đại", "subject": "Lịch công bố điểm thi tốt nghiệp",
                      "questions": "Khi nào Sở công bố điểm? Có phúc khảo trực tuyến không?"}, "officer", 20)
INCIDENT = ("POST incidents (+escalation)", "POST", "/api/v1/incidents",
            lambda i: {"department": "ha-noi", "title": f"Nghi lộ đề thi (đo tải {i})", "category": "exam",
                       "severity": "critical", "exam_related": True, "description": "Bài đo tải",
                       "occurred_at": datetime.now(timezone.utc).isoformat(), "place": "Điểm thi đo tải"},
            "officer", 10)
MIX = READS + [INQUIRY, INCIDENT]


def check_paths(base):
    """Every endpoint of the mix must be in the OpenAPI document: a renamed route fails the bench loudly."""
    import httpx

    doc = httpx.get(f"{base}/api/v1/openapi.json", timeout=10).json()
    have = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    missing = [s[0] for s in MIX if (s[1], s[2].split("?")[0]) not in have]
    if missing:
        raise SystemExit(f"not in /api/v1/openapi.json: {missing}")


async def drive(bases, tokens, mix, total, duration, concurrency, alert_base=None):
    """``concurrency`` clients, each on its own keep-alive connection, one request after another; client ``w``
    talks to instance ``w mod len(bases)`` (round robin, as a load balancer spreads connections). With
    ``alert_base``, reporting an incident goes there instead, as nginx routes the alert path in production."""
    samples, errors, done = {}, {}, 0
    deadline = time.monotonic() + duration
    counter = iter(range(total))
    weights = [spec[5] for spec in mix]
    rnd = random.Random(2026)

    async def one(worker):
        nonlocal done
        web = HTTPConnection(bases[worker % len(bases)])
        alert = HTTPConnection(alert_base) if alert_base else web
        for i in counter:
            if time.monotonic() > deadline:
                break
            name, method, path, body, who, _ = rnd.choices(mix, weights=weights)[0]
            conn = alert if (method, path) == ("POST", "/api/v1/incidents") else web
            headers = {}
            if who is not None:  # the ceiling is probed bare, as a load balancer does
                token = tokens["ministry"] if who == "ministry" else tokens["officer"][worker % len(tokens["officer"])]
                headers = {"Authorization": f"Bearer {token}"}
            t0 = time.perf_counter()
            try:
                status, _ = await asyncio.wait_for(conn.request(method, path, headers, body(i) if body else None), 30)
            except (ConnectionError, asyncio.TimeoutError) as exc:
                conn.close()
                status = type(exc).__name__
            samples.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
            if status not in (200, 201):
                errors.setdefault(name, {}).setdefault(str(status), 0)
                errors[name][str(status)] += 1
            done += 1
        web.close()
        alert.close()

    start = time.monotonic()
    await asyncio.gather(*(one(w) for w in range(concurrency)))
    return samples, errors, done, time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    database_arguments(parser)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--requests", type=int, default=20000, help="upper bound on requests of the mix")
    parser.add_argument("--duration", type=float, default=30, help="upper bound in seconds for each phase")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of the mix run first and not counted")
    parser.add_argument("--alert-instance", action="store_true",
                        help="report incidents to a gunicorn of their own with the CPU priority of "
                             "deploy/crisiscomm-alert.service (the others run at nice 10), as nginx routes them")
    parser.add_argument("--alert-workers", type=int, default=1,
                        help="gunicorn workers of the alert instance (deploy/: 1)")
    parser.add_argument("--instances", type=int, default=1,
                        help="app instances (gunicorn processes on their own ports, as separate hosts would be)")
    args = parser.parse_args()

    url = database_url(args, "bench")
    tokens = prepare_database(url, years=args.years, reuse=args.reuse)
    with SMTPSink() as smtp:
        nice = 10 if args.alert_instance else 0
        servers = [start_gunicorn(url, args.workers, smtp.port, threads=args.threads, nice=nice)
                   for _ in range(args.instances)]
        bases, cmd = [base for _, base, _ in servers], servers[0][2]
        alert = start_gunicorn(url, args.alert_workers, smtp.port) if args.alert_instance else None
        if alert:
            servers.append(alert)
        alert_base = alert[1] if alert else None
        try:
            print(f"gunicorn ×{args.instances}: {' '.join(cmd)}  ({os.cpu_count()} cores)"
                  + ("; incidents to a gunicorn -w 1 of their own (the alert instance)" if alert else ""))
            print(f"database: {url.split('@')[-1]}   history: {args.years} years   concurrency: {args.concurrency}")
            check_paths(bases[0])
            health = [("GET /healthz", "GET", "/healthz", None, None, 1)]
            h_samples, _, h_done, h_elapsed = asyncio.run(drive(bases, tokens, health, args.requests,
                                                                args.duration, args.concurrency))
            # Not counted: connections, statement caches and the dashboards' first computation warm up.
            asyncio.run(drive(bases, tokens, MIX, args.requests, args.warmup, args.concurrency, alert_base))
            pids = [pid for proc, _, _ in servers for pid in worker_pids(proc.pid)]
            database_pids = postgres_pids() if url.startswith("postgresql") else []
            before = (cpu_seconds(pids), sum(os.times()[:2]), machine_busy_seconds(), cpu_seconds(database_pids))
            samples, errors, done, elapsed = asyncio.run(drive(bases, tokens, MIX, args.requests, args.duration,
                                                               args.concurrency, alert_base))
            new_backends = [pid for pid in postgres_pids() if pid not in database_pids] if database_pids else []
            after = (cpu_seconds(pids), sum(os.times()[:2]), machine_busy_seconds(), cpu_seconds(database_pids),
                     cpu_seconds(new_backends))
            rss = [mb for proc, _, _ in servers for mb in worker_rss_mb(proc.pid)]
            # The ceiling again after the mix: this machine's speed drifts between runs; the higher one counts.
            h2_samples, _, h2_done, h2_elapsed = asyncio.run(drive(bases, tokens, health, args.requests,
                                                                   args.duration, args.concurrency))
            if h2_done / h2_elapsed > h_done / h_elapsed:
                h_samples, h_done, h_elapsed = h2_samples, h2_done, h2_elapsed
        finally:
            for proc, _, _ in servers:
                proc.terminate()
                proc.wait(30)
        time.sleep(1)  # let the last escalation emails reach the sink before counting
        emails = len(smtp.messages)
    ceiling = h_done / h_elapsed
    throughput = done / elapsed
    print(f"\nceiling  GET /healthz: {ceiling:7.1f} req/s  {percentiles(h_samples['GET /healthz'])}")
    print(f"mix: {done} requests in {elapsed:.1f} s = {throughput:.1f} req/s ({throughput / ceiling:.0%} of ceiling)")
    per = {}
    for name, values in sorted(samples.items()):
        per[name] = p = percentiles(values)
        print(f"  {name:30} n={p['n']:5}  p50={p['p50']:6} ms  p95={p['p95']:6} ms  p99={p['p99']:6} ms"
              + (f"  errors={errors[name]}" if name in errors else ""))
    workers_cpu = sum(after[0]) - sum(before[0])
    # A backend that exited during the mix takes its CPU with it: count the ones alive at both ends, and those
    # started during the mix from zero.
    database_cpu = sum(max(0.0, a - b) for a, b in zip(after[3], before[3]) if a) + sum(after[4])
    cpu = {"workers_ms_per_request": round(workers_cpu * 1000 / done, 2) if done else None,
           "client_and_sink_ms_per_request": round((after[1] - before[1]) * 1000 / done, 2) if done else None,
           "machine_busy_share": round((after[2] - before[2]) / (elapsed * (os.cpu_count() or 1)), 3),
           "postgresql_ms_per_request": round(database_cpu * 1000 / done, 2) if database_pids and done else None}
    print(f"CPU during the mix: app workers {cpu['workers_ms_per_request']} ms per request, load client and SMTP "
          f"sink {cpu['client_and_sink_ms_per_request']} ms per request"
          + (f", PostgreSQL server {cpu['postgresql_ms_per_request']} ms per request" if database_pids else "")
          + f"; machine busy {cpu['machine_busy_share']:.0%}")
    print(f"RSS per worker (MB): {rss}")
    print(f"emails accepted by the SMTP sink: {emails}")
    path = write_result("load", {"command": cmd, "database": url.split("@")[-1], "years": args.years,
                                 "workers": args.workers, "threads": args.threads, "instances": args.instances,
                                 "alert_instance": args.alert_instance, "alert_workers": args.alert_workers,
                                 "concurrency": args.concurrency,
                                 "mix_share_of_ceiling": round(throughput / ceiling, 3),
                                 "ceiling_rps": round(ceiling, 1), "mix_rps": round(throughput, 1),
                                 "requests": done, "endpoints": per, "errors": errors, "rss_mb": rss,
                                 "emails": emails, "cpu": cpu})
    print(f"result: {path}")


if __name__ == "__main__":
    main()
