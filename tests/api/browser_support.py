"""Serving the API on loopback and driving Debian's Chromium with Playwright, for the
browser tests of the pages (the product's api.headless): every host but loopback is
unresolvable, and every request the page makes and every console error are recorded."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from api.headless import LOOPBACK_ONLY, headless_chromium, loopback_service, system_chromium

CHROMIUM = system_chromium()
OFFLINE = LOOPBACK_ONLY
LOCAL_SCHEMES = ("data", "blob", "about")
serving = loopback_service  # the app on a loopback port (uvicorn in a thread); yields its base URL


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


def chromium() -> AbstractContextManager[Any]:
    """A headless Chromium (the system's) that resolves loopback alone."""
    return headless_chromium(CHROMIUM)
