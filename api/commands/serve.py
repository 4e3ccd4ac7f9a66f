"""`fieldweek serve`: run the HTTP API (uvicorn) over a SQLite file or PostgreSQL, its
jobs in local worker processes or, with `--scheduler`, on a Dask cluster."""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

console = Console(stderr=True, soft_wrap=True)  # log lines stay whole for log readers


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address or the name localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def masked_url(url: str) -> str:
    """The database URL as it may be printed: its password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"(//[^/:@]*:)[^/@]*@", r"\1***@", url)


def without_password(text: str, url: str) -> str:
    """`text` (an error message, say) with the URL's password, as typed or decoded, masked."""
    try:
        password = make_url(url).password
    except ArgumentError:
        password = None
    found = re.search(r"//[^/:@]*:([^/@]*)@", url)
    for secret in {str(password or ""), found.group(1) if found else ""} - {""}:
        text = text.replace(secret, "***")
    return text


def sqlite_file_problem(url: str) -> str | None:
    """Why the SQLite file of `url` cannot be opened to write (its folder missing or not
    writable, a folder in its place); None for another database, memory, or a file that
    can be. Said before the service starts: SQLite's own word is "unable to open database
    file", without the path."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    file = Path(parsed.database)
    folder = file.parent
    if file.is_dir():
        return f"the database {file} is a folder, not a file"
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        return f"the folder {folder} of the database file {file.name} {what}"
    if file.exists() and not os.access(file, os.R_OK | os.W_OK):
        return f"the database file {file} cannot be read and written by this user"
    if not file.exists() and not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable: the database file {file.name} cannot be created there"
    return None


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add `fieldweek serve` to the command line."""

    @app.command("serve")
    def serve_command(
        host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
        port: Annotated[
            int, typer.Option("--port", min=1, max=65535, help="port to listen on")
        ] = 8000,
        db: Annotated[
            str | None,
            typer.Option(
                "--db",
                help="database URL: sqlite:///path/to/file.db (default sqlite:///fieldweek.db, "
                "or FIELDWEEK_DB) or postgresql://user@host/name",
            ),
        ] = None,
        scheduler: Annotated[
            str | None,
            typer.Option(
                "--scheduler",
                help="address of a Dask scheduler (tcp://HOST:8786, or FIELDWEEK_SCHEDULER): "
                "solve jobs run on its cluster, whose workers must reach the database; "
                "default: local worker processes",
            ),
        ] = None,
    ) -> None:
        """Serve the HTTP API (docs at /docs). Without FIELDWEEK_API_KEYS it needs no key and
        so listens on 127.0.0.1 only."""
        import uvicorn

        from api.http.app import create_app
        from api.http.job_runners import RunnerUnavailable
        from api.http.lease import AnotherServiceRunning
        from api.http.settings import Settings

        try:
            settings = Settings.from_env(database_url=db, scheduler=scheduler)
        except ValueError as exc:
            console.print(f"[red]{escape(without_password(str(exc), db or ''))}[/red]")
            raise typer.Exit(2) from None
        if settings.api_keys_file is None:
            if not is_loopback(host):
                console.print(
                    f"[yellow]FIELDWEEK_API_KEYS is not set: requests need no key, so the service "
                    f"listens on 127.0.0.1 only (not {host}).[/yellow]"
                )
                host = "127.0.0.1"
            else:
                console.print(
                    "FIELDWEEK_API_KEYS is not set: requests need no key; listening on "
                    "loopback only."
                )
        else:
            console.print(
                f"API keys from {settings.api_keys_file}: every /v1 request needs "
                "Authorization: Bearer KEY."
            )
        if why := sqlite_file_problem(settings.database_url):
            console.print(f"[red]cannot start: {escape(why)} (--db / FIELDWEEK_DB)[/red]")
            raise typer.Exit(2)
        try:
            application = create_app(settings)
        except OperationalError as exc:
            # The database cannot be reached or opened (a server down, a file refused).
            reason = without_password(str(exc.orig or exc), settings.database_url)
            console.print(f"[red]cannot start: the database {escape(masked_url(settings.database_url))} "
                          f"cannot be opened: {escape(reason)} (--db / FIELDWEEK_DB)[/red]")
            raise typer.Exit(2) from None
        except (OSError, ValueError, AnotherServiceRunning, RunnerUnavailable) as exc:
            reason = without_password(str(exc), settings.database_url)
            console.print(f"[red]cannot start: {escape(reason)}[/red]")
            raise typer.Exit(2) from None
        console.print(
            f"fieldweek API on http://{host}:{port} (docs at /docs), "
            f"data in {escape(masked_url(settings.database_url))}, jobs "
            + (f"on the Dask cluster at {escape(settings.scheduler)}" if settings.scheduler
               else f"in {settings.job_processes} local worker process(es)")
        )
        uvicorn.run(application, host=host, port=port, log_level="info")
