"""Start-up times, side by side in one run: `serve` until `/health` answers 200, and the migration
Job (`migrate-entrypoint.sh`) on a database already at head, on SQLite and PostgreSQL.

    python bench/startup.py                               # this checkout, 10 rounds
    python bench/startup.py --before ../old-checkout      # and an older checkout, interleaved
    python bench/startup.py --runs 20 --postgres postgresql://postgres@127.0.0.1:5432/postgres

Every case runs once per round, the cases in a new order each round, so that a change in the
machine's load touches all of them alike; the table shows medians. Two references are timed the
same way, `python -c pass` and a bare uvicorn app answering 200, so that a loaded machine can still
be read: quote ratios, not seconds. The CPU time the measured processes used (server start-up
and shutdown included) is shown too; on a busy machine it moves much less than wall time. `--before DIR` runs another checkout's code (its `backend/`
first on PYTHONPATH, its own migrate-entrypoint.sh) with this interpreter and venv.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import REPO, create_database, drop_database, free_port

BARE_APP = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})
"""


@dataclass
class Checkout:
    label: str
    root: Path
    sqlite_url: str = ""
    postgres_url: str | None = None

    def env(self, database_url: str, **extra: str) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEST_", "WEB_CONCURRENCY"))}
        return {
            **keep,
            "PYTHONPATH": str(self.root / "backend"),
            "PYTHON": sys.executable,
            "DATABASE_URL": database_url,
            "ENVIRONMENT": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "LOG_FORMAT": "json",
            **extra,
        }


@dataclass
class Case:
    name: str
    run: Callable[[], float]
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def children_cpu() -> float:
    """CPU seconds of the processes waited for so far: unlike wall time, hardly moved by other load."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_command(command: list[str], env: dict[str, str] | None, cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {result.returncode}: {result.stderr.decode()[-2000:]}")
    return elapsed


def answers_200(port: int, path: str) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", path)
            return connection.getresponse().status == 200
        finally:
            connection.close()
    except (OSError, http.client.HTTPException):
        return False


def timed_until_200(command: list[str], env: dict[str, str] | None, cwd: Path, port: int, path: str) -> float:
    """From spawning the process to its first 200 on `path`; then SIGTERM to its whole group."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        while not answers_200(port, path):
            if process.poll() is not None:
                raise SystemExit(
                    f"{' '.join(command)} exited {process.returncode}: {process.stderr.read().decode()[-2000:]}"
                )  # type: ignore[union-attr]
            # Polling, not waiting: a refused connection on loopback costs microseconds.
            time.sleep(0.002)
        return time.perf_counter() - started
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stderr:
            process.stderr.close()


def wait_port_free(port: int) -> None:
    for _ in range(500):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
                return
            except OSError:
                time.sleep(0.01)


def cases_for(checkout: Checkout, workdir: Path) -> list[Case]:
    def serve(workers: str | None) -> Callable[[], float]:
        def run() -> float:
            port = free_port()
            command = [sys.executable, "-m", "chores_tracker", "serve", "--port", str(port)]
            if workers:
                command += ["--workers", workers]
            elapsed = timed_until_200(command, checkout.env(checkout.sqlite_url), workdir, port, "/health")
            wait_port_free(port)
            return elapsed

        return run

    def migrate(url: str) -> Callable[[], float]:
        return lambda: timed_command(["sh", str(checkout.root / "migrate-entrypoint.sh")], checkout.env(url), workdir)

    cases = [
        Case(f"{checkout.label}: serve --workers 1 -> /health 200", serve("1")),
        Case(f"{checkout.label}: serve (default workers) -> /health 200", serve(None)),
        Case(f"{checkout.label}: migrate-entrypoint.sh at head, SQLite", migrate(checkout.sqlite_url)),
    ]
    if checkout.postgres_url:
        cases.append(
            Case(f"{checkout.label}: migrate-entrypoint.sh at head, PostgreSQL", migrate(checkout.postgres_url))
        )
    if (checkout.root / ".venv" / ".chores-tracker-installed").exists():
        # A newcomer's second start: the checkout's own .venv, installed already, so pip is skipped.
        def second_run() -> float:
            port = free_port()
            env = checkout.env(checkout.sqlite_url, ENVIRONMENT="development", PORT=str(port), HOST="127.0.0.1")
            elapsed = timed_until_200(["sh", str(checkout.root / "scripts" / "run")], env, workdir, port, "/health")
            wait_port_free(port)
            return elapsed

        cases.append(Case(f"{checkout.label}: ./scripts/run, installed -> /health 200", second_run))
    return cases


def reference_cases(workdir: Path) -> list[Case]:
    (workdir / "bare_app.py").write_text(BARE_APP)

    def bare_uvicorn() -> float:
        port = free_port()
        command = [sys.executable, "-m", "uvicorn", "bare_app:app", "--port", str(port), "--log-level", "warning"]
        elapsed = timed_until_200(command, {**os.environ, "PYTHONPATH": str(workdir)}, workdir, port, "/")
        wait_port_free(port)
        return elapsed

    return [
        Case("reference: python -c pass", lambda: timed_command([sys.executable, "-c", "pass"], None, workdir)),
        Case("reference: bare uvicorn app -> 200", bare_uvicorn),
    ]


def prepare(checkout: Checkout, workdir: Path, postgres: str | None) -> None:
    """A database at this checkout's head, on SQLite and (if asked) on a fresh PostgreSQL database,
    and the checkout's byte-code compiled beside its source, as the image does (`compileall` in the
    Dockerfile): with PYTHONDONTWRITEBYTECODE set, as in the image and on this machine, a module
    without it is compiled again by every process, about 0.1 s of the app's start-up."""
    timed_command([sys.executable, "-m", "compileall", "-q", str(checkout.root / "backend")], None, workdir)
    checkout.sqlite_url = f"sqlite:///{workdir / f'{checkout.label}.db'}"
    urls = [checkout.sqlite_url]
    if postgres:
        checkout.postgres_url = create_database(postgres)
        urls.append(checkout.postgres_url)
    for url in urls:
        timed_command([sys.executable, "-m", "chores_tracker", "db", "upgrade"], checkout.env(url), workdir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="rounds (each case once per round)")
    parser.add_argument("--before", type=Path, help="another checkout to time side by side (e.g. the old commit)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL server for the migration case ('' to skip)",
    )
    args = parser.parse_args()

    checkouts = [Checkout("this", REPO)]
    if args.before:
        checkouts.insert(0, Checkout("before", args.before.resolve()))
    workdir = Path(tempfile.mkdtemp(prefix="ct-bench-startup-"))
    try:
        for checkout in checkouts:
            prepare(checkout, workdir, args.postgres or None)
        cases = reference_cases(workdir) + [case for c in checkouts for case in cases_for(c, workdir)]
        load_before = os.getloadavg()[0]
        order = list(cases)
        for round_number in range(args.runs):
            random.Random(round_number).shuffle(order)  # noqa: S311 (an order, not a secret)
            for case in order:
                cpu_before = children_cpu()
                case.times.append(case.run())
                case.cpu.append(children_cpu() - cpu_before)
            print(f"round {round_number + 1}/{args.runs} done", file=sys.stderr)
        report(cases, checkouts, args.runs, load_before, os.getloadavg()[0])
    finally:
        for checkout in checkouts:
            if checkout.postgres_url:
                drop_database(checkout.postgres_url)
        shutil.rmtree(workdir, ignore_errors=True)


def report(cases: list[Case], checkouts: list[Checkout], runs: int, load_before: float, load_after: float) -> None:
    medians = {case.name: statistics.median(case.times) for case in cases}
    python_pass = medians["reference: python -c pass"]
    cores = len(os.sched_getaffinity(0))
    print(f"\n{runs} rounds, {cores} usable cores, load average {load_before:.1f} before and {load_after:.1f} after")
    cpu = {case.name: statistics.median(case.cpu) for case in cases}
    compare = len(checkouts) > 1
    print(
        "| case | median s | min s | x `python -c pass` | median CPU s |"
        + (" this / before (wall) | this / before (CPU) |" if compare else "")
    )
    print("|---|---:|---:|---:|---:|" + ("---:|---:|" if compare else ""))
    for case in cases:
        median = medians[case.name]
        line = f"| {case.name} | {median:.3f} | {min(case.times):.3f} | {median / python_pass:.1f} | {cpu[case.name]:.3f} |"
        if compare:
            before = case.name.replace("this:", "before:", 1)
            if case.name.startswith("this:") and before in medians:
                line += f" {median / medians[before]:.2f} | {cpu[case.name] / cpu[before]:.2f} |"
            else:
                line += " | |"
        print(line)


if __name__ == "__main__":
    main()
