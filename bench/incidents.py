"""Incident creation under load: gunicorn + a real SMTP sink, 50 concurrent readers in the background,
incidents created over HTTP one after another.

    python bench/incidents.py [--database-url URL] [--years 10 [--reuse]] [--incidents 30] [--readers 50]

Prints p50/p95 of the POST itself and of request start → the level-1 emails accepted by the SMTP sink
(an email belongs to incident N when its subject or body names /incidents/N or #N; the last one
arriving within --settle seconds of the POST closes the measurement). Writes JSON to bench/results/.
"""
import argparse
import asyncio
import email
import email.policy
import os
import re
import time
from datetime import datetime, timezone

from common import (SMTPSink, database_arguments, database_url, percentiles, prepare_database, start_gunicorn,
                    worker_rss_mb, write_result)


async def readers(base, tokens, n, stop):
    import httpx

    count = 0

    async def loop(client, i):
        nonlocal count
        while not stop.is_set():
            officers = tokens["officer"]
            await client.get("/api/v1/inquiries?department=ha-noi",
                             headers={"Authorization": f"Bearer {officers[i % len(officers)]}"})
            count += 1

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await asyncio.gather(*(loop(client, i) for i in range(n)))
    return count


def _text(content):
    """Subject and every text part of a raw message, decoded (Vietnamese bodies travel base64 or QP)."""
    message = email.message_from_bytes(content, policy=email.policy.default)
    parts = [str(message["Subject"] or "")]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def emails_for(smtp, incident_id, since):
    pattern = re.compile(r"(/incidents/%d\b|#%d\b)" % (incident_id, incident_id))
    with smtp.lock:
        arrived = [(t, content) for t, content in smtp.messages if t >= since]
    return [t for t, content in arrived if pattern.search(_text(content))]


async def run(base, tokens, smtp, args):
    import httpx

    stop = asyncio.Event()
    background = asyncio.create_task(readers(base, tokens, args.readers, stop))
    post_ms, email_ms, missing = [], [], 0
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for i in range(args.incidents):
            start = time.monotonic()
            r = await client.post("/api/v1/incidents", headers={"Authorization": f"Bearer {tokens['officer'][0]}"}, json={
                "department": "ha-noi", "title": f"Lộ đề thi (đo tải {i})", "category": "exam",
                "severity": "critical", "exam_related": True, "description": "Bài đo tải",
                "occurred_at": datetime.now(timezone.utc).isoformat(), "place": "Điểm thi đo tải"})
            post_ms.append((time.monotonic() - start) * 1000)
            if r.status_code not in (200, 201):
                raise SystemExit(f"POST /api/v1/incidents answered {r.status_code}: {r.text[:300]}")
            incident_id = r.json().get("id") or r.json().get("incident", {}).get("id")
            await asyncio.sleep(args.settle)
            arrived = emails_for(smtp, incident_id, start)
            if arrived:
                email_ms.append((max(arrived) - start) * 1000)
            else:
                missing += 1
    stop.set()
    reads = await background
    return post_ms, email_ms, missing, reads


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    database_arguments(parser)
    parser.add_argument("--incidents", type=int, default=30)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--settle", type=float, default=1.0, help="seconds to wait for emails after each POST")
    args = parser.parse_args()
    url = database_url(args, "bench-incidents")
    tokens = prepare_database(url, years=args.years, reuse=args.reuse)
    with SMTPSink() as smtp:
        proc, base, cmd = start_gunicorn(url, args.workers, smtp.port)
        try:
            print(f"gunicorn: {' '.join(cmd[1:])}  ({os.cpu_count()} cores)")
            post_ms, email_ms, missing, reads = asyncio.run(run(base, tokens, smtp, args))
            rss = worker_rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(30)
    result = {"command": cmd, "database": url.split("@")[-1], "years": args.years, "readers": args.readers, "incidents": args.incidents,
              "post_ms": percentiles(post_ms), "start_to_emails_ms": percentiles(email_ms),
              "incidents_without_email": missing, "background_reads": reads, "rss_mb": rss}
    print(f"POST /api/v1/incidents: {result['post_ms']}")
    print(f"request start → level-1 emails accepted: {result['start_to_emails_ms']} (none for {missing})")
    print(f"background reads: {reads}; RSS per worker (MB): {rss}")
    print(f"result: {write_result('incidents', result)}")


if __name__ == "__main__":
    main()
