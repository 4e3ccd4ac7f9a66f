"""Who may call the service and which departments each caller sees.

With `FIELDWEEK_API_KEYS` set, every /v1 request carries `Authorization: Bearer KEY`.
The keys file holds one key per line:

    # comment
    k3y-for-the-head-office = *            # every department (admin)
    k3y-for-east-district   = d1a2b3, d4e5f6

A key sees the departments listed for it and the ones it created; any other
department answers 404, exactly as if it did not exist.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Receive, Scope, Send

ADMIN = "*"
PROTECTED_PREFIX = "/v1/"
CHALLENGE = {"WWW-Authenticate": "Bearer"}
NO_KEY = "this service needs an API key: send Authorization: Bearer KEY"
UNKNOWN_KEY = "unknown API key"

bearer_scheme = HTTPBearer(
    auto_error=False, description="an API key from the FIELDWEEK_API_KEYS file"
)


def key_fingerprint(key: str) -> str:
    """What is stored to remember a key (as the owner of departments), never the key itself."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Caller:
    """The caller of one request: which departments it may see."""

    fingerprint: str | None
    """None when authentication is off or the key is an admin key."""
    departments: frozenset[str] | None
    """None: every department."""

    def can_see(self, department_id: str, owner: str | None) -> bool:
        """Whether this caller may see the department with this id and owner fingerprint."""
        if self.departments is None:
            return True
        return department_id in self.departments or (
            owner is not None and owner == self.fingerprint
        )


NO_AUTHENTICATION = Caller(fingerprint=None, departments=None)


@dataclass(frozen=True)
class ApiKeys:
    """The keys a service accepts, each with the departments it may see (None: all)."""

    grants: tuple[tuple[str, frozenset[str] | None], ...]

    @classmethod
    def parse(cls, text: str, where: str = "keys file") -> ApiKeys:
        """Read `KEY = dept1, dept2` / `KEY = *` lines; raise ValueError naming the bad line."""
        grants: list[tuple[str, frozenset[str] | None]] = []
        seen: set[str] = set()
        for number, line in enumerate(text.splitlines(), start=1):
            content = line.split("#", 1)[0].strip()
            if not content:
                continue
            key, equals, scope = content.partition("=")
            key, scope = key.strip(), scope.strip()
            if not equals or not key or any(c.isspace() for c in key):
                raise ValueError(
                    f"{where}, line {number}: expected `KEY = dept1, dept2` or `KEY = *`"
                )
            if key in seen:
                raise ValueError(f"{where}, line {number}: the key is listed twice")
            seen.add(key)
            ids = [part.strip() for part in scope.split(",") if part.strip()]
            if not ids:
                raise ValueError(
                    f"{where}, line {number}: name the key's departments, or * for all"
                )
            grants.append((key, None if ADMIN in ids else frozenset(ids)))
        if not grants:
            raise ValueError(f"{where}: no keys; every request would be refused")
        return cls(tuple(grants))

    @classmethod
    def load(cls, path: Path) -> ApiKeys:
        """Read a keys file (see the module docstring for the format)."""
        return cls.parse(path.read_text(encoding="utf-8"), str(path))

    def caller(self, key: str) -> Caller | None:
        """The caller holding `key`, or None for an unknown key."""
        found: Caller | None = None
        for known, departments in self.grants:
            # Compare every key in constant time so that timing reveals nothing.
            if hmac.compare_digest(known.encode("utf-8"), key.encode("utf-8")):
                fingerprint = None if departments is None else key_fingerprint(key)
                found = Caller(fingerprint=fingerprint, departments=departments)
        return found


def authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Caller:
    """The caller of a request; 401 when keys are required and none (or an unknown one) is given."""
    keys: ApiKeys | None = request.app.state.api_keys
    if keys is None:
        return NO_AUTHENTICATION
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, NO_KEY, headers=CHALLENGE)
    caller = keys.caller(credentials.credentials)
    if caller is None:
        raise HTTPException(401, UNKNOWN_KEY, headers=CHALLENGE)
    return caller


class KeyBeforeBody:
    """Answer 401 to a /v1 request without a known key before its body is received.

    Pure ASGI on purpose: nothing here calls `receive`, so a keyless upload is refused
    from its headers alone and its body never enters the server's memory. The route's
    own dependency (`authenticate`) still decides which departments the key sees.
    """

    def __init__(self, app: ASGIApp, keys: ApiKeys | None):
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.keys is None
            or scope["type"] != "http"
            or not str(scope.get("path", "")).startswith(PROTECTED_PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(dict(scope.get("headers", ())).get(b"authorization"))
        if refusal is None:
            await self.app(scope, receive, send)
            return
        await JSONResponse({"detail": refusal}, status_code=401, headers=CHALLENGE)(scope, receive, send)

    def _refusal(self, header: bytes | None) -> str | None:
        assert self.keys is not None
        scheme, _, key = (header or b"").decode("latin-1").strip().partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return NO_KEY
        return None if self.keys.caller(key.strip()) is not None else UNKNOWN_KEY
