"""The one command line: `chores-tracker serve | db ...`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from chores_tracker.settings import load_settings_or_exit

if TYPE_CHECKING:
    import uvicorn

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
        help="worker processes (default: WEB_CONCURRENCY, else the cores this process may use; 1 with --reload)",
    ),
    reload: bool = typer.Option(False, help="restart on code changes (development)"),
) -> None:
    """Serve the JSON API, the web app, health and metrics. Does not migrate: run `db upgrade` first."""
    import uvicorn

    if workers is None:
        workers = 1 if reload else usable_cores()

    from chores_tracker.observability.logs import configure_logging

    settings = load_settings_or_exit()
    configure_logging(settings)
    app_factory = "chores_tracker.app:create_app"
    options: dict[str, Any] = dict(
        factory=True,
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
        # uvicorn's supervisor process runs the workers, and exits 0 once they have stopped.
        uvicorn.run(app_factory, workers=workers, reload=reload, **options)
        return
    server = uvicorn.Server(uvicorn.Config(app_factory, **options))
    _serve_until_stopped(server)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, as a container's cpuset sets it)."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no affinity on this platform
        return max(1, os.cpu_count() or 1)


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


def main() -> None:
    from chores_tracker.migrations.commands import db_app

    app.add_typer(db_app, name="db")
    app()


if __name__ == "__main__":
    main()
