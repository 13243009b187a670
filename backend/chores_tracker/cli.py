"""The one command line: `chores-tracker serve | db ...`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from chores_tracker.settings import load_settings_or_exit

if TYPE_CHECKING:
    import uvicorn

    from chores_tracker.bootstrap import LivenessFirst

# uvicorn's exit status when the server could not start (the port taken, the app failing at start-up).
STARTUP_FAILURE = 3

app = typer.Typer(
    help="Chores Tracker: the web app and its database tools.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals hold settings and URLs: never print them
)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on (0.0.0.0 in a container)"),
    port: int = typer.Option(8000, help="port to listen on"),
    workers: int | None = typer.Option(
        None,
        min=1,
        envvar="WEB_CONCURRENCY",
        show_default=False,
        help="worker processes (default: WEB_CONCURRENCY, else in production the cores this process may use, and 1 otherwise or with --reload)",
    ),
    reload: bool = typer.Option(False, help="restart on code changes (development)"),
    next_step: str | None = typer.Option(
        None, help="once it serves, print where to go and this next step (./scripts/run sets it)"
    ),
    upgrade_first: bool = typer.Option(
        False,
        help="first run `db upgrade` (same runner, lock and exit codes) in this process; serve only if it succeeded",
    ),
) -> None:
    """Serve the JSON API, the web app, health and metrics. The app does not migrate: run `db upgrade`
    first, or pass --upgrade-first."""
    if upgrade_first:
        # The migration step still ends before the app exists; run here, it shares this process's
        # start-up (Python, pydantic, SQLAlchemy) instead of paying for it twice, which is most of
        # what ./scripts/run spends before the server answers.
        from chores_tracker.migrations.commands import upgrade

        upgrade(revision="head", lock_timeout=None, ddl_lock_timeout=None)

    import uvicorn

    from chores_tracker.observability.logs import configure_logging

    settings = load_settings_or_exit()
    configure_logging(settings)
    if workers is None:
        # In production, a process per core. Elsewhere one: a person running it locally (on SQLite,
        # with --reload or ./scripts/run's ready line) wants one server, up soonest.
        workers = usable_cores() if settings.is_production and not reload else 1
    # uvicorn serves a thin wrapper that answers liveness at once and builds the full app
    # (create_app()) in the background right after start-up: chores_tracker.bootstrap.
    options: dict[str, Any] = dict(
        host=host,
        port=port,
        # The app itself honours X-Forwarded-* from TRUSTED_PROXIES only; uvicorn would trust 127.0.0.1.
        proxy_headers=False,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        # Logging is ours (configure_logging): JSON in production, and one access line per request.
        log_config=None,
        access_log=False,
    )
    if reload or workers > 1:
        # uvicorn's supervisor process runs the workers (each builds its own app), and exits 0 once
        # they have stopped.
        uvicorn.run("chores_tracker.bootstrap:liveness_first", factory=True, workers=workers, reload=reload, **options)
        return
    from chores_tracker.bootstrap import LivenessFirst

    wrapper = LivenessFirst()
    server = _server(uvicorn.Config(wrapper, **options), next_step, wrapper)
    _serve_until_stopped(server)
    if wrapper.failed:  # the full app could not be built or started: it stopped itself
        raise typer.Exit(STARTUP_FAILURE)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, as a container's cpuset sets it)."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no affinity on this platform
        return max(1, os.cpu_count() or 1)


def browser_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches a server listening on host:port."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 (names "every address" to replace it, binds nothing)
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _server(config: uvicorn.Config, next_step: str | None, wrapper: LivenessFirst) -> uvicorn.Server:
    """uvicorn's server; with a next step, it says where to go once it really serves, the app built
    (its port taken, or the app failing, it says nothing more), as the last line a person starting
    it sees."""
    import asyncio
    import logging
    import socket

    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if next_step and self.started and not self.should_exit:
                self.saying_ready = asyncio.ensure_future(self.say_ready())

        async def say_ready(self) -> None:
            if await wrapper.started() and not self.should_exit:
                logging.getLogger(__name__).info(
                    "Chores Tracker is ready: open %s and %s. Ctrl+C stops it.",
                    browser_url(config.host, config.port),
                    next_step,
                )

    return Server(config)


def _serve_until_stopped(server: uvicorn.Server) -> None:
    """Serve in this process. SIGTERM (or Ctrl+C) stops it gracefully, and the exit status is then 0.

    While it serves, uvicorn handles these signals itself. Once it has shut down, it puts back the
    handlers it found and raises the signal again for them; with the default handler, a clean
    shutdown would still end as "killed by SIGTERM". The handler installed here takes that signal:
    after a clean shutdown it has nothing left to do, so the process exits 0; a signal that came
    before uvicorn took over stops the server right after start-up. If requests outlived the grace
    period (SHUTDOWN_GRACE_SECONDS), the stop was not graceful, and their threads would hold the
    exit: the signal then ends the process as it would have by default.
    """
    import signal

    def after_uvicorn(signum: int, _frame: object) -> None:
        server.should_exit = True
        if server.started and server.server_state.tasks:
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)

    previous = {sig: signal.signal(sig, after_uvicorn) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not server.started:
        raise typer.Exit(STARTUP_FAILURE)


@app.command()
def demo(
    existing_ok: bool = typer.Option(
        False, help="when the demo family is already here, print its logins and succeed (./scripts/run --demo)"
    ),
) -> None:
    """Add a demo family (two parents, three children, three weeks of history) and print its logins.

    Refuses in production, and when the demo's usernames are taken: it never touches a family."""
    from sqlalchemy.exc import DBAPIError

    from chores_tracker import demo as demo_family
    from chores_tracker.db.engine import make_engine, make_session_factory
    from chores_tracker.errors import DomainError

    settings = load_settings_or_exit()
    engine = make_engine(settings.resolved_database_url)
    try:
        with make_session_factory(engine)() as session:
            try:
                made = demo_family.create_demo_family(session, settings)
            except demo_family.DemoRefused as refused:
                if existing_ok and not settings.is_production and demo_family.is_there(session):
                    typer.echo("The demo family is already here.")
                    typer.echo(demo_family.logins_text())
                    return
                typer.echo(f"No demo family: {refused.message}", err=True)
                raise typer.Exit(1) from None
            except DomainError as error:
                typer.echo(f"No demo family: {error.message}", err=True)
                raise typer.Exit(1) from None
            except DBAPIError as error:
                # Mostly a database never migrated (no tables yet); the driver's first line says which.
                first_line = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
                typer.echo(f"No demo family: the database refused ({first_line}); run `db upgrade` first", err=True)
                raise typer.Exit(1) from None
    finally:
        engine.dispose()
    figures = ", ".join(f"{count} {what.replace('_', ' ')}" for what, count in made.counts.items())
    typer.echo(f"Made {demo_family.FAMILY_NAME}: {figures}.")
    typer.echo(demo_family.logins_text())


@app.command()
def tick(
    every: int = typer.Option(
        0, min=0, help="run again every this many seconds until stopped (docker compose); 0: once (a CronJob)"
    ),
) -> None:
    """Run the time step: make the occurrences schedules have, move them due, overdue and missed,
    charge missed penalties (once, however many run at once). Safe to run often and concurrently;
    a run missed for a day is caught up by the next one."""
    import time

    from sqlalchemy.exc import DBAPIError

    from chores_tracker import clock
    from chores_tracker.chores.timestep import run_time_step
    from chores_tracker.db.engine import make_engine, make_session_factory
    from chores_tracker.observability.logs import configure_logging

    settings = load_settings_or_exit()
    configure_logging(settings)
    clock.follow_file(settings.test_clock_file)  # None but in tests: the real clock
    engine = make_engine(settings.resolved_database_url)
    try:
        while True:
            try:
                summary = run_time_step(make_session_factory(engine))
            except DBAPIError as error:
                first_line = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
                typer.echo(f"Time step failed: the database refused ({first_line})", err=True)
                if not every:
                    raise typer.Exit(1) from None
            else:
                typer.echo(f"Time step at {summary.now.isoformat()}: {summary.as_text()}.")
            if not every:
                return
            time.sleep(every)
    finally:
        engine.dispose()


@app.command()
def worker(
    once: bool = typer.Option(False, help="one round of deliveries (and the time step), then exit"),
) -> None:
    """Deliver the notification outbox to the members' channels (retries with backoff, dead letters),
    and run the time step every WORKER_TIME_STEP_SECONDS. Several may run at once on PostgreSQL and
    MariaDB/MySQL; one on SQLite. Stops cleanly on SIGTERM."""
    from chores_tracker.db.engine import make_engine, make_session_factory
    from chores_tracker.observability.logs import configure_logging
    from chores_tracker.worker import Worker, run_worker

    settings = load_settings_or_exit()
    configure_logging(settings)
    engine = make_engine(settings.resolved_database_url)
    try:
        if once:
            process = Worker(make_session_factory(engine), settings)
            process.maybe_time_step()
            typer.echo(f"Notifications: {process.one_round().as_text()}.")
        else:
            run_worker(make_session_factory(engine), settings)
    finally:
        engine.dispose()


@app.command("vapid-keys")
def vapid_keys() -> None:
    """Make a VAPID key pair for Web Push: put the private key in VAPID_PRIVATE_KEY (a secret; the
    public key is derived from it and served to browsers). A new key ends every subscription made
    with the old one."""
    from chores_tracker.notifications import webpush

    private = webpush.new_private_key()
    public = webpush.public_key_for(private)
    typer.echo(f"VAPID_PRIVATE_KEY={private}")
    typer.echo(f"# the public key browsers subscribe with (GET /api/v1/notifications/push-key): {public}")


def main() -> None:
    import sys

    # The `db` commands' module loads SQLAlchemy and the migration runner: only for `db` itself, or
    # for the top-level help that lists every command (`serve` starts sooner without it).
    command = next((argument for argument in sys.argv[1:] if not argument.startswith("-")), None)
    own = {(c.name or c.callback.__name__).lower().replace("_", "-") for c in app.registered_commands if c.callback}
    if command not in own:
        from chores_tracker.migrations.commands import db_app

        app.add_typer(db_app, name="db")
    app()


if __name__ == "__main__":
    main()
