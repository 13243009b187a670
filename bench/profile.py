#!/usr/bin/env python3
"""Where the server's time goes under load: py-spy samples of `chores-tracker serve` while wrk drives
one endpoint, or the complete-then-approve cycle, with the family of bench/reads.py.

    python bench/profile.py POST /api/v1/notifications/read-all --as child   # in the project's venv
    python bench/profile.py GET /api/v1/chores/available --as child --seconds 30
    python bench/profile.py --cycle                                           # bench/reads.py's cycle

Needs wrk (Debian) and py-spy (`pip install py-spy`; it reads the server's memory, so it may need
root or ptrace permission). Creates a fresh PostgreSQL database, migrates it, starts the server as
production runs it (one worker), seeds the family through the API, warms up for 3 s, then samples
the server with `py-spy record --gil` (only the thread holding the GIL, that is Python's own work,
100 samples a second, stacks read with the process paused so they are whole) for `--seconds` of
`wrk -c 32`. Prints the rate and CPU per request of that run and, as shares of the samples: the
worker threads against the event loop, each package's own time, and the frames of this package and
a few of the framework's that hold the most (everything they call included). Drops the database.
The shares are what docs/performance.md quotes; the rate under py-spy is lower than without it.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import reads
from harness import (
    create_database,
    drop_database,
    free_port,
    migrate,
    production_env,
    start_server,
    stop_server,
    wait_ready,
)
from pool_load import WRK_SCRIPT, measure

CONNECTIONS = 32
PACKAGES = ("chores_tracker", "sqlalchemy", "psycopg", "fastapi", "starlette", "anyio", "uvicorn", "pydantic", "jwt")
# Frames worth a line of their own besides this package's: the framework's layers a request crosses.
FRAMEWORK = re.compile(
    r"Session\.execute|Session\.commit|orm_execute_statement|solve_dependencies|run_in_threadpool|"
    r"_IncludedRouter\.matches|Logger\.log|Response\.__call__"
)

# The server's own start (under every sample of the event loop): no line of its own.
ENTRY = re.compile(r"\(chores_tracker/(cli|__main__)\.py\)")


def _frame(raw: str) -> str:
    """`function (path/to/module.py:line)` as `function (package/module.py)`."""
    return re.sub(r" \((?:.*site-packages/|.*backend/)?(.*?)(?::\d+)?\)$", r" (\1)", raw)


def _package(frame: str) -> str:
    path = frame.rpartition("(")[2]
    return next((name for name in PACKAGES if path.startswith(name + "/")), "other (stdlib, asyncio, ...)")


def report(samples: Path, top: int) -> None:
    total = threads = 0
    own: collections.Counter[str] = collections.Counter()
    held: collections.Counter[str] = collections.Counter()
    for line in samples.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = [_frame(raw) for raw in stack.split(";")]
        total += n
        threads += n if frames[0].startswith("Thread._bootstrap") else 0
        own[_package(frames[-1])] += n
        for frame in set(frames):
            held[frame] += n
    if not total:
        raise SystemExit("py-spy took no samples: is it allowed to read the server's memory?")

    def share(n: int) -> str:
        return f"{100 * n / total:5.1f} %"

    print(f"\n{total} samples holding the GIL: worker threads {share(threads)}, event loop {share(total - threads)}")
    print("\nown time by package")
    for name, n in own.most_common():
        print(f"  {share(n)}  {name}")
    print(f"\nframes of chores_tracker and the framework's layers, with all they call (top {top})")
    shown = [
        (frame, n)
        for frame, n in held.most_common()
        if ("(chores_tracker/" in frame and not ENTRY.search(frame)) or FRAMEWORK.search(frame)
    ]
    for frame, n in shown[:top]:
        print(f"  {share(n)}  {frame}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("method", nargs="?", help="GET, POST, ... (with a path; or --cycle)")
    parser.add_argument("path", nargs="?", help="the path, /api/v1/...")
    parser.add_argument("--as", dest="who", choices=("parent", "child"), default="parent")
    parser.add_argument("--cycle", action="store_true", help="bench/reads.py's complete-then-approve cycle")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--top", type=int, default=30, help="frames listed (default 30)")
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    args = parser.parse_args()
    if args.cycle == bool(args.method and args.path):
        parser.error("give a method and a path, or --cycle")
    for tool in ("wrk", "py-spy"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not on PATH (wrk: apt-get install wrk; py-spy: pip install py-spy)")

    database_url = create_database(args.postgres)
    server = None
    log = Path(tempfile.mkstemp(prefix="ct-profile-server-", suffix=".log")[1])
    samples = Path(tempfile.mkstemp(prefix="ct-profile-", suffix=".txt")[1])
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        method = (args.method or "").upper()
        script.write(
            reads.CYCLE_SCRIPT
            if args.cycle
            else WRK_SCRIPT + f'\nfunction request() return wrk.format("{method}") end\n'
        )
    try:
        env = production_env(database_url)
        migrate(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(env, port, log)
        wait_ready(base, server, log)
        with httpx.Client(base_url=f"{base}/api/v1", timeout=30) as api:
            family = reads.seed(api)
            chores = reads.cycle_chores(api, family, CONNECTIONS * 3 // 2)[0] if args.cycle else []
        token = family.child if args.cycle or args.who == "child" else family.parent
        url = base + "/" if args.cycle else base + args.path
        if args.cycle:
            os.environ.update(
                CYCLE_CHORES=",".join(map(str, chores)),
                CYCLE_THREADS="2",
                CYCLE_PARENT=family.parent,
                CYCLE_CHILD=family.child,
            )
            reads.settle_cycle(base, family, chores)
        measure(base, url, token, CONNECTIONS, 3, Path(script.name))  # warm-up
        if args.cycle:
            reads.settle_cycle(base, family, chores)
        spy = subprocess.Popen(
            [
                *("py-spy", "record", "--pid", str(server.pid), "--duration", str(args.seconds), "--rate", "100"),
                *("--gil", "--format", "raw", "--output", str(samples)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        run = measure(base, url, token, CONNECTIONS, args.seconds, Path(script.name))
        _, spy_errors = spy.communicate(timeout=args.seconds + 60)
        if spy.returncode != 0:
            raise SystemExit(f"py-spy failed: {spy_errors.strip()}")
        target = "the complete-then-approve cycle" if args.cycle else f"{method} {args.path} as the {args.who}"
        print(
            f"{target}, wrk -c {CONNECTIONS} for {args.seconds} s under py-spy: {run.rate:.1f} req/s, "
            f"statuses {dict(sorted(run.statuses.items()))}, server CPU {run.cpu_ms:.2f} ms per request"
        )
        report(samples, args.top)
    finally:
        if server is not None:
            stop_server(server)
        drop_database(database_url)
        Path(script.name).unlink()
        samples.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
