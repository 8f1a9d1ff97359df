"""README's performance table from the benchmarks' JSON (bench/results/): the newest run of each layout.

    python bench/report.py            # print the table (Markdown)
    python bench/report.py --readme   # rewrite it in README.md between the bench:begin / bench:end markers

A run counts when it used ten years of generated history (``--years 10``); each row says which run it came from.
"""
import argparse
import glob
import json
import os
import re

from common import PROJECT, RESULTS

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
TARGETS = {"alert_post": 300, "alert_email": 500, "share": 0.40, "list_p95": 300, "rss": 200}
LISTS = ("GET contacts?q= (search)", "GET incidents (list)", "GET inquiries (list)", "GET inquiries overdue",
         "GET statements?q= (search)")


def runs(kind):
    """{(database kind, layout): newest result} of bench/<kind>-*.json with ten years of history."""
    newest = {}
    for path in sorted(glob.glob(os.path.join(RESULTS, f"{kind}-*.json"))):
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if data.get("years") != 10:
            continue
        database = "SQLite" if data["database"].startswith("sqlite") else "PostgreSQL"
        if data.get("instances", 1) > 1:
            layout = f"{data['instances']} instances"
        else:
            layout = "alert instance" if data.get("alert_instance") else "one instance"
        if data.get("workers"):  # the gunicorn shape: web workers × threads (and the alert instance's workers)
            layout += f", -w {data['workers']} × {data.get('threads', 4)}"
            if data.get("alert_instance"):
                layout += f" + alert -w {data.get('alert_workers', 1)}"
        data["file"] = os.path.basename(path)
        newest[(database, layout)] = data
    return newest


def mark(ok):
    return "✓" if ok else "✗"


def section(title, columns, rows):
    """A Markdown table under its title; ``columns``: (heading, alignment) pairs."""
    return [title, "", "| " + " | ".join(name for name, _ in columns) + " |",
            "| " + " | ".join(align for _, align in columns) + " |", *rows, ""]


def alert_rows(alerts):
    for (database, layout), d in sorted(alerts.items()):
        post, mail = d["post_ms"], d["start_to_emails_ms"]
        ok = post.get("p95", 1e9) < TARGETS["alert_post"] and mail.get("p95", 1e9) < TARGETS["alert_email"]
        yield (f"| {database} | {layout} | {post.get('p50')} / {post.get('p95')} | {mail.get('p50')} / "
               f"{mail.get('p95')} | {d['start_to_push_ms'].get('p95', '—')} | "
               f"{d['start_to_apprise_ms'].get('p95', '—')} | {mark(ok)} | `{d['file']}` |")


def mix_rows(mixes):
    for (database, layout), d in sorted(mixes.items()):
        worst = max(d["endpoints"][name]["p95"] for name in LISTS if name in d["endpoints"])
        post = d["endpoints"].get("POST incidents (+escalation)", {}).get("p95", "—")
        cpu = d.get("cpu") or {}
        rss = max(d["rss_mb"]) if d["rss_mb"] else None
        database_cpu = cpu.get("postgresql_ms_per_request")
        yield (f"| {database} | {layout} | {d['ceiling_rps']} req/s | {d['mix_rps']} req/s | "
               f"{d['mix_share_of_ceiling']:.0%} {mark(d['mix_share_of_ceiling'] >= TARGETS['share'])} | "
               f"{worst} {mark(worst < TARGETS['list_p95'])} | {post} | "
               f"{cpu.get('workers_ms_per_request', '—')} ms"
               + (f" + {database_cpu} ms PostgreSQL" if database_cpu is not None else "")
               + f" | {rss} {mark(rss is not None and rss < TARGETS['rss'])} | `{d['file']}` |")


def table():
    lines = []
    alerts, mixes = runs("incidents"), runs("load")
    if alerts:
        lines += section("**An exam incident while 50 clients read** (`bench/incidents.py --years 10 --reuse "
                         "[--alert-instance]`; 30 incidents one after another, 2 warm-up incidents not counted):",
                         [("database", "---"), ("layout", "---"), ("POST p50 / p95 ms", "---:"),
                          ("→ last level-1 email p50 / p95 ms", "---:"), ("→ push p95", "---:"),
                          ("→ Apprise p95", "---:"), ("targets (p95 < 300 / < 500)", ":---:"), ("run", "---")],
                         alert_rows(alerts))
    if mixes:
        lines += section("**The exam-day mix, 32 clients** (`bench/load.py --years 10 --reuse [--alert-instance | "
                         "--instances 2]`; 30 s after 5 s of warm-up; the layout names the gunicorn shape, "
                         "web workers × threads):",
                         [("database", "---"), ("layout", "---"), ("bare /healthz (ceiling)", "---:"), ("mix", "---:"),
                          ("mix ÷ ceiling (≥ 40 %)", "---:"), ("list/search p95 ms (< 300)", "---:"),
                          ("POST incidents p95 ms", "---:"), ("CPU per request", "---:"),
                          ("RSS per worker MB (< 200)", "---:"), ("run", "---")],
                         mix_rows(mixes))
    return "\n".join(lines).rstrip() + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readme", action="store_true", help="rewrite the table in README.md")
    args = parser.parse_args()
    text = table()
    if not args.readme:
        print(text, end="")
        return
    path = os.path.join(PROJECT, "README.md")
    with open(path, encoding="utf-8") as fh:
        readme = fh.read()
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"README.md has no {BEGIN} … {END} markers")
    readme = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: f"{BEGIN}\n{text}{END}", readme,
                    flags=re.S)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(readme)
    print(f"README.md: table rewritten from {RESULTS}")


if __name__ == "__main__":
    main()
