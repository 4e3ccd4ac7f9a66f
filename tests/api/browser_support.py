"""Serving the API on loopback and driving Debian's Chromium with Playwright, for the
browser tests of the pages: every host but loopback is unresolvable, and every request
the page makes and every console error are recorded."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn

CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))),
    None,
)
OFFLINE = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
LOCAL_SCHEMES = ("data", "blob", "about")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """The app on a loopback port (uvicorn in a thread); yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the API did not start"
        time.sleep(0.1)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Watch:
    """What a page did: its console errors, uncaught exceptions and requests."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("request", lambda request: self.requests.append(request.url))

    def left_the_machine(self) -> list[str]:
        """Requests to anything but this machine."""
        return [
            url for url in self.requests
            if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).hostname not in ("127.0.0.1", "localhost")
        ]


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (the system's) that resolves loopback alone."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", f"--host-resolver-rules={OFFLINE}"]
        )
        try:
            yield browser
        finally:
            browser.close()
