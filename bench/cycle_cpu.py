#!/usr/bin/env python3
"""CPU per request of the complete-then-approve cycle, in process: this checkout and an older one
measured at the same time, so that a machine that speeds up or slows down touches both alike.

    python bench/cycle_cpu.py --before ../old-checkout            # from the repository root, in the project's venv
    python bench/cycle_cpu.py --before ../old --cycles 200 --rounds 7

Each side seeds bench/reads.py's family on a fresh PostgreSQL database of its own (migrated with its
own code), then completes and approves the family's cycle chores one request at a time through the
app (FastAPI's TestClient: no server, no HTTP, no other request at once) and takes the process's
CPU time per request over each round of `--cycles` cycles. The table shows each side's median and
the ratio. What it measures is the code's own cost of a change, not a server's rate under load
(bench/reads.py): it sees a change of a few per cent that runs of reads.py, 15 % apart from one
another on this machine, cannot.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from harness import REPO, create_database, drop_database, migrate, production_env  # noqa: E402

CYCLE_CHORES = 4


def measure(database_url: str, cycles: int, rounds: int) -> tuple[str, list[float]]:
    """In this process (the checkout's backend first on PYTHONPATH): where the code measured comes
    from, and the CPU ms per request of each round."""
    import importlib
    import logging

    from fastapi.testclient import TestClient

    # The package first, from the checkout's backend: reads.py's helpers (pool_load) put this
    # repository's backend first on sys.path, which must not decide the code measured.
    package = importlib.import_module("chores_tracker")
    from chores_tracker.app import create_app
    from chores_tracker.settings import Settings

    reads = importlib.import_module("reads")
    app = create_app(Settings(database_url=database_url))
    logging.disable(logging.INFO)  # the access log line is the server's, not the change's
    with TestClient(app, base_url="http://127.0.0.1/api/v1") as api:
        family = reads.seed(api)
        chores, _, _ = reads.cycle_chores(api, family, CYCLE_CHORES)

        def cycle(chore: int) -> None:
            done = api.post(f"/chores/{chore}/complete", headers={"Authorization": family.child})
            if done.status_code != 200:
                raise SystemExit(f"completion failed: {done.status_code} {done.text}")
            assignment = done.json()["assignment"]["id"]
            approved = api.post(f"/assignments/{assignment}/approve", headers={"Authorization": family.parent}, json={})
            if approved.status_code != 200:
                raise SystemExit(f"approval failed: {approved.status_code} {approved.text}")

        for n in range(CYCLE_CHORES * 10):  # warm: compiled statements, prepared statements, the pool
            cycle(chores[n % CYCLE_CHORES])
        per_request = []
        for _ in range(rounds):
            started = time.process_time()
            for n in range(cycles):
                cycle(chores[n % CYCLE_CHORES])
            per_request.append((time.process_time() - started) / (2 * cycles) * 1000)
    return str(Path(package.__file__ or "").parent), per_request


def prepared_database(checkout: Path, server: str) -> tuple[str, dict[str, str]]:
    """A fresh database migrated with the checkout's own code, and the environment to measure it in."""
    database_url = create_database(server)
    env = production_env(database_url, PYTHONPATH=f"{checkout / 'backend'}{os.pathsep}{HERE}")
    migrate(env)
    return database_url, env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, help="another checkout of the project, measured alongside (required)")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--cycles", type=int, default=200, help="complete-and-approve cycles per round (default 200)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds per side; the table shows medians (default 7)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # one side, in its own process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.cycles, args.rounds)))
        return
    if args.before is None:
        parser.error("--before is required: the ratio is against another checkout")
    sides = {"this checkout": REPO, f"--before {args.before}": args.before.resolve()}
    # Both databases first: the two sides then start, and run, at the same moment.
    databases = {name: prepared_database(path, args.postgres) for name, path in sides.items()}
    command = [sys.executable, __file__, "--cycles", str(args.cycles), "--rounds", str(args.rounds), "--measure"]
    started = {
        name: (subprocess.Popen([*command, url], env=env, stdout=subprocess.PIPE, text=True), url)
        for name, (url, env) in databases.items()
    }
    medians = {}
    try:
        for name, (process, _url) in started.items():
            output, _ = process.communicate()
            if process.returncode != 0:
                raise SystemExit(f"{name}: the measurement failed (exit {process.returncode})")
            code, rounds = json.loads(output.strip().splitlines()[-1])
            medians[name] = statistics.median(rounds)
            print(f"{name} ({code}): CPU ms per request, rounds: {' '.join(f'{value:.2f}' for value in rounds)}")
    finally:
        for _process, url in started.values():
            drop_database(url)
    print(f"\nPostgreSQL, {args.rounds} rounds of {args.cycles} cycles per side, both sides at once, medians")
    print("| checkout | CPU ms per request | against --before |")
    print("|---|---:|---:|")
    before = medians[f"--before {args.before}"]
    for name, value in medians.items():
        print(f"| {name} | {value:.2f} | {value / before:.3f} |")


if __name__ == "__main__":
    main()
