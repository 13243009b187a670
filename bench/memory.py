"""Resident memory of the server's workers under a steady load of the main reads (issue 12: at most
150 MB per worker after 5 minutes, and not growing).

    python bench/memory.py                          # 5 minutes, one worker, PostgreSQL
    python bench/memory.py --minutes 1 --workers 2 --connections 16

What it does: a fresh PostgreSQL database (`--postgres`, `BENCH_POSTGRES_URL`), migrated; the
server started as production runs it (`chores-tracker serve --workers N`); one family seeded
through the API as `bench/reads.py` seeds it (5 children, 50 chores, 25 waiting for review); then
three wrk processes at once for `--minutes`, one per main read (`GET /chores/available` as a child,
`GET /chores/pending-approval` and `GET /reports/allowance-summary` as the parent), the connections
shared among them. Meanwhile the resident set size (VmRSS, /proc) of every worker process is
sampled every `--every` seconds. It prints the RSS at start (after the seed, before the load),
at each minute, in the middle and at the end, with the growth over the second half, and the
answers that were not 200. Loopback only; the database is dropped afterwards (`--keep` keeps it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from harness import create_database, drop_database, free_port, migrate, production_env, start_server, stop_server
from harness import wait_ready as wait_until_ready
from pool_load import WRK_SCRIPT, Run, wrk
from reads import ENDPOINTS, seed


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


def worker_pids(server_pid: int, workers: int) -> list[int]:
    """With one worker, `serve` is the worker; with more, uvicorn's supervisor runs them as its children
    (the multiprocessing resource tracker, if any, is left out: it serves no request)."""
    if workers == 1:
        return [server_pid]
    pids = []
    for child in children(server_pid):
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        if b"resource_tracker" not in cmdline:
            pids.append(child)
    return sorted(pids)


def sample(pids: list[int]) -> list[float]:
    return [rss_mb(pid) for pid in pids]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0, help="minutes of load (default 5)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    parser.add_argument("--connections", type=int, default=30, help="wrk connections, shared by the three reads")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between RSS samples")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL server to create the bench database on",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    database_url = create_database(args.postgres)
    workdir = Path(tempfile.mkdtemp(prefix="ct-bench-memory-"))
    log = workdir / "server.log"
    script = workdir / "count.lua"
    script.write_text(WRK_SCRIPT)
    env = production_env(database_url)
    server = None
    try:
        migrate(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(env, port, log, workers=args.workers)
        wait_until_ready(base, server, log)
        with httpx.Client(base_url=f"{base}/api/v1", timeout=30) as api:
            family = seed(api)
        pids = worker_pids(server.pid, args.workers)
        if len(pids) != args.workers:
            raise SystemExit(f"found {len(pids)} worker processes, expected {args.workers}")
        seconds = args.minutes * 60
        samples: list[tuple[float, list[float]]] = [(0.0, sample(pids))]
        runs: dict[str, Run] = {}
        each = max(1, args.connections // len(ENDPOINTS))

        def load(name: str, path: str, who: str) -> None:
            authorization = family.parent if who == "parent" else family.child
            runs[name] = wrk(f"{base}{path}", authorization, each, seconds, script)

        threads = [
            threading.Thread(target=load, args=(name, path, who), daemon=True) for name, path, who, _ in ENDPOINTS
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            time.sleep(args.every)
            samples.append((time.monotonic() - started, sample(pids)))
        for thread in threads:
            thread.join()
        report(args, samples, runs, each)
    finally:
        if server is not None:
            stop_server(server)
        if args.keep:
            print(f"kept {database_url}", file=sys.stderr)
        else:
            drop_database(database_url)
        shutil.rmtree(workdir, ignore_errors=True)


def report(args: argparse.Namespace, samples: list[tuple[float, list[float]]], runs: dict[str, Run], each: int) -> None:
    def at(fraction: float) -> tuple[float, list[float]]:
        moment = fraction * samples[-1][0]
        return min(samples, key=lambda s: abs(s[0] - moment))

    load = os.getloadavg()[0]
    print(
        f"\n{args.minutes:g} minutes of load, {args.workers} worker(s), wrk {each} connections per read "
        f"({each * len(runs)} in all), RSS sampled every {args.every:g} s, load average {load:.1f} at the end\n"
    )
    print("| moment | seconds | " + " | ".join(f"worker {n + 1} RSS MB" for n in range(args.workers)) + " |")
    print("|---|---:|" + "---:|" * args.workers)
    moments = [("start (seeded, before load)", samples[0])]
    minute = 1
    while minute * 60 < samples[-1][0]:
        moments.append((f"minute {minute}", min(samples, key=lambda s, m=minute: abs(s[0] - m * 60))))
        minute += 1
    moments += [("middle", at(0.5)), ("end", samples[-1])]
    for name, (when, values) in moments:
        print(f"| {name} | {when:.0f} | " + " | ".join(f"{v:.1f}" for v in values) + " |")
    middle, end = at(0.5)[1], samples[-1][1]
    peak = [max(s[1][n] for s in samples) for n in range(args.workers)]
    print()
    print("peak MB: " + ", ".join(f"{v:.1f}" for v in peak))
    print(
        "growth over the second half (end - middle), MB: "
        + ", ".join(f"{e - m:+.1f}" for m, e in zip(middle, end, strict=True))
    )
    print()
    print("| read | requests | req/s | p50 ms | p99 ms | not 200 |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, run in runs.items():
        not_200 = sum(n for status, n in run.statuses.items() if status != 200) + run.socket_errors
        print(f"| `{name}` | {run.requests} | {run.rate:.1f} | {run.p50_ms:.0f} | {run.p99_ms:.0f} | {not_200} |")


if __name__ == "__main__":
    main()
