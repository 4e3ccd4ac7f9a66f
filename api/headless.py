"""Pages on this machine in a headless browser (SPEC §1: the pictures of the pages
people look at): the app served by uvicorn on a loopback port, and the system's
Chromium driven by Playwright, resolving loopback alone so that nothing leaves the
machine (no tile server, no CDN).

Playwright is a dev dependency that drives the system browser and downloads none; it
is imported on use."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

LOOPBACK_ONLY = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
STARTUP_TIMEOUT_S = 30


def system_chromium() -> str | None:
    """The path of the system's Chromium (Debian's `chromium` or a Chrome), if any."""
    return next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)


@contextmanager
def loopback_service(app: Any) -> Iterator[str]:
    """`app` served by uvicorn on a free loopback port in a thread; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the service did not start on loopback")
        time.sleep(0.1)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def headless_chromium(executable: str | None) -> Iterator[Any]:
    """A headless Chromium (the one at `executable`) that resolves loopback alone."""
    from playwright.sync_api import sync_playwright  # a dev dependency, imported on use

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", f"--host-resolver-rules={LOOPBACK_ONLY}"]
        )
        try:
            yield browser
        finally:
            browser.close()
