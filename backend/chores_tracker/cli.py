"""The one command line: `chores-tracker serve | db ...`."""

from __future__ import annotations

import typer

from chores_tracker.settings import load_settings_or_exit

app = typer.Typer(
    help="Chores Tracker: the web app and its database tools.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals hold settings and URLs: never print them
)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on (0.0.0.0 in a container)"),
    port: int = typer.Option(8000, help="port to listen on"),
    workers: int = typer.Option(1, min=1, help="worker processes"),
    reload: bool = typer.Option(False, help="restart on code changes (development)"),
) -> None:
    """Serve the JSON API, the web app, health and metrics. Does not migrate: run `db upgrade` first."""
    import uvicorn

    settings = load_settings_or_exit()
    uvicorn.run(
        "chores_tracker.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
        timeout_graceful_shutdown=25,
        log_config=None,
    )


def main() -> None:
    from chores_tracker.db.cli import db_app

    app.add_typer(db_app, name="db")
    app()


if __name__ == "__main__":
    main()
