"""`fieldweek serve`: run the HTTP API (uvicorn) over a SQLite file or PostgreSQL."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True, soft_wrap=True)  # log lines stay whole for log readers


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address or the name localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    ) -> None:
        """Serve the HTTP API (docs at /docs). Without FIELDWEEK_API_KEYS it needs no key and
        so listens on 127.0.0.1 only."""
        import uvicorn

        from api.http.app import create_app
        from api.http.settings import Settings

        try:
            settings = Settings.from_env(database_url=db)
        except ValueError as exc:
            console.print(f"[red]{exc}[/red]")
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
        try:
            application = create_app(settings)
        except (OSError, ValueError) as exc:
            console.print(f"[red]cannot start: {exc}[/red]")
            raise typer.Exit(2) from None
        console.print(
            f"fieldweek API on http://{host}:{port} (docs at /docs), data in {settings.database_url}"
        )
        uvicorn.run(application, host=host, port=port, log_level="info")
