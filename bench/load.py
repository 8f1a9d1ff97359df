"""Exam-day load: gunicorn on loopback, a real SMTP sink, and a bounded asyncio/httpx client.

    python bench/load.py                       # SQLite file in bench/results/, 20 s or 4000 requests
    python bench/load.py --database-url postgresql://postgres@127.0.0.1:5432/bench --duration 30

Mix: 70 % reads (departments, me, inquiry list, contact search), 20 % inquiry logging, 10 % incident
creation. Endpoints that do not exist yet (not in /api/v1/openapi.json) are skipped and named.
Prints throughput and p50/p95/p99 per endpoint, bare /healthz throughput as the ceiling, RSS per
worker; writes JSON to bench/results/.
"""
import argparse
import asyncio
import os
import random
import time

from common import (SMTPSink, default_workers, percentiles, prepare_database, start_gunicorn, worker_rss_mb,
                    write_result, RESULTS)

READS = [("GET /api/v1/departments", "GET", "/api/v1/departments", None),
         ("GET /api/v1/me", "GET", "/api/v1/me", None),
         ("GET /api/v1/inquiries", "GET", "/api/v1/inquiries", None),
         ("GET /api/v1/contacts?q=", "GET", "/api/v1/contacts?q=nguyen", None)]
INQUIRY = ("POST /api/v1/inquiries", "POST", "/api/v1/inquiries",
           lambda i: {"department": "ha-noi", "channel": "phone", "journalist_name": f"Phóng viên {i}",
                      "outlet": "Báo Giáo dục", "topic": "Kỳ thi tốt nghiệp THPT", "question": "Lịch công bố điểm?"})
INCIDENT = ("POST /api/v1/incidents", "POST", "/api/v1/incidents",
            lambda i: {"department": "ha-noi", "title": f"Sự cố thử tải {i}", "category": "exam_leak",
                       "severity": "high", "exam_related": True, "description": "Bài đo tải"})


def available(base, token):
    import httpx

    doc = httpx.get(f"{base}/api/v1/openapi.json", timeout=10).json()
    have = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    keep, skipped = [], []
    for spec in READS + [INQUIRY, INCIDENT]:
        (keep if (spec[1], spec[2].split("?")[0]) in have else skipped).append(spec)
    return keep, skipped


async def drive(base, tokens, mix, total, duration, concurrency):
    import httpx

    samples, errors, done = {}, {}, 0
    deadline = time.monotonic() + duration
    counter = iter(range(total))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def one(client, worker):
        nonlocal done
        for i in counter:
            if time.monotonic() > deadline:
                return
            name, method, path, body = random.choices(mix, weights=[w for *_, w in mix])[0][:4]
            headers = {"Authorization": f"Bearer {tokens[worker % len(tokens)]}"}
            t0 = time.perf_counter()
            try:
                r = await client.request(method, path, headers=headers, json=body(i) if body else None)
                status = r.status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            samples.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
            if status not in (200, 201):
                errors.setdefault(name, {}).setdefault(str(status), 0)
                errors[name][str(status)] += 1
            done += 1

    start = time.monotonic()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        await asyncio.gather(*(one(client, w) for w in range(concurrency)))
    return samples, errors, done, time.monotonic() - start


def weighted(specs):
    reads = [s for s in specs if s[1] == "GET"]
    mix = [(*s, 70 / len(reads)) for s in reads] if reads else []
    for spec, weight in ((INQUIRY, 20), (INCIDENT, 10)):
        if spec in specs:
            mix.append((*spec, weight))
    return mix


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a fresh SQLite file in bench/results/)")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--requests", type=int, default=4000, help="upper bound on requests of the mix")
    parser.add_argument("--duration", type=float, default=20, help="upper bound in seconds for each phase")
    args = parser.parse_args()

    url = args.database_url or "sqlite:///" + os.path.join(RESULTS, "bench.db")
    os.makedirs(RESULTS, exist_ok=True)
    if not args.database_url and os.path.exists(os.path.join(RESULTS, "bench.db")):
        os.remove(os.path.join(RESULTS, "bench.db"))
    tokens = prepare_database(url)
    with SMTPSink() as smtp:
        proc, base, cmd = start_gunicorn(url, args.workers, smtp.port)
        try:
            print(f"gunicorn: {' '.join(cmd[1:])}  ({os.cpu_count()} cores)")
            print(f"database: {url.split('@')[-1]}   concurrency: {args.concurrency}")
            specs, skipped = available(base, tokens[0])
            for s in skipped:
                print(f"skipped (not in the OpenAPI document yet): {s[0]}")
            mix = weighted(specs)
            health = [("GET /healthz", "GET", "/healthz", None, 1)]
            h_samples, _, h_done, h_elapsed = asyncio.run(drive(base, tokens, health, args.requests,
                                                                args.duration, args.concurrency))
            samples, errors, done, elapsed = asyncio.run(drive(base, tokens, mix, args.requests, args.duration,
                                                               args.concurrency))
            rss = worker_rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(30)
        emails = len(smtp.messages)
    ceiling = h_done / h_elapsed
    throughput = done / elapsed
    print(f"\nceiling  GET /healthz: {ceiling:7.1f} req/s  {percentiles(h_samples['GET /healthz'])}")
    print(f"mix: {done} requests in {elapsed:.1f} s = {throughput:.1f} req/s ({throughput / ceiling:.0%} of ceiling)")
    per = {}
    for name, values in sorted(samples.items()):
        per[name] = percentiles(values)
        p = per[name]
        print(f"  {name:28} n={p['n']:5}  p50={p['p50']:6} ms  p95={p['p95']:6} ms  p99={p['p99']:6} ms"
              + (f"  errors={errors[name]}" if name in errors else ""))
    print(f"RSS per worker (MB): {rss}")
    print(f"emails accepted by the SMTP sink: {emails}")
    path = write_result("load", {"command": cmd, "database": url.split("@")[-1], "workers": args.workers,
                                 "concurrency": args.concurrency, "ceiling_rps": round(ceiling, 1),
                                 "mix_rps": round(throughput, 1), "requests": done, "endpoints": per,
                                 "errors": errors, "skipped": [s[0] for s in skipped], "rss_mb": rss,
                                 "emails": emails})
    print(f"result: {path}")


if __name__ == "__main__":
    main()
