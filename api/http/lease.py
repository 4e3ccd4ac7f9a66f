"""One service per database: a lease row renewed by a heartbeat.

A service takes over every unfinished job of its database when it starts, so a second
service on the same database would fail the first one's running jobs. The lease is a
row of the database itself (so it works the same on SQLite and PostgreSQL, and across
machines): its holder renews it every `lease_heartbeat_s`. A starting service that
finds the lease watches it for `lease_ttl_s`: if the heartbeat moves, another service
is alive and this one refuses to start; if it does not, the holder died (kill -9, a
lost machine) and the lease is taken over. No clocks of two machines are compared.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid

from api.http.storage import Store

log = logging.getLogger("fieldweek.lease")


class AnotherServiceRunning(RuntimeError):
    """A live service already holds this database."""


class ServiceLease:
    """The lease of one running service: taken at start, renewed by a daemon thread,
    released at a clean stop."""

    def __init__(self, store: Store, heartbeat_s: float, ttl_s: float):
        self.store = store
        self.heartbeat_s = heartbeat_s
        self.ttl_s = ttl_s
        self.holder = uuid.uuid4().hex
        self.host = f"{socket.gethostname()} pid {os.getpid()}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> None:
        """Take the lease or raise `AnotherServiceRunning` naming the holder."""
        for _attempt in range(3):  # lost races with another starting service are retried
            current = self.store.lease()
            if current is None:
                if self.store.take_lease(self.holder, self.host, None):
                    break
                continue
            seen_beat, seen_host = current.beat, current.host
            log.warning(
                "the database has a service lease (%s); waiting %.0f s for a heartbeat",
                seen_host, self.ttl_s,
            )
            deadline = time.monotonic() + self.ttl_s
            while time.monotonic() < deadline:
                time.sleep(min(self.heartbeat_s / 2, 0.5))
                now = self.store.lease()
                if now is not None and now.beat != seen_beat:
                    raise AnotherServiceRunning(
                        f"another fieldweek service ({now.host}) is running on this database "
                        f"(its last heartbeat at {now.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC); "
                        "stop it first, or give this one a database of its own"
                    )
                if now is None:
                    break
            if self.store.take_lease(self.holder, self.host, seen_beat):
                log.warning("took over the lease of a service that stopped beating (%s)", seen_host)
                break
        else:
            raise AnotherServiceRunning("another fieldweek service is starting on this database")
        self._thread = threading.Thread(target=self._beat, name="fieldweek-lease", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat_s):
            try:
                if not self.store.renew_lease(self.holder):
                    log.critical("this service lost its lease on the database to another one")
                    return
            except Exception:  # a database hiccup: try again at the next beat
                log.exception("could not renew the service lease")

    def release(self) -> None:
        """Stop the heartbeat and free the lease, so a restart need not wait."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            self.store.release_lease(self.holder)
        except Exception:  # the lease then expires on its own
            log.exception("could not release the service lease")
