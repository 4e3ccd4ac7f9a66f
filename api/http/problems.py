"""How the service says no: one shape for bad input, and a cap on request bodies.

Bad input is `422 {"detail": [{"file", "row", "column", "message", "loc"}]}` whether
the loader found it in a department (the same messages as `fieldweek` prints for a
folder) or FastAPI found it in a request body or query. Other refusals are
`{"detail": "what went wrong and what to do"}`. A bug (any unexpected exception) is
`500 {"detail": ..., "error_id": ...}`, its traceback logged under that id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine.errors import InputError, Problem, new_error_id

log = logging.getLogger("fieldweek.api")

PROBLEM_EXAMPLE = {
    "detail": [
        {
            "file": "retailers",
            "row": 14,
            "column": "closes",
            "message": "closes (07:00) must be after opens (08:00)",
            "loc": ["body", "retailers", 12, "closes"],
        }
    ]
}


def problem_dict(problem: Problem, loc: Sequence[str | int] | None = None) -> dict[str, Any]:
    """One problem as JSON; `loc` points into a JSON body where there is one."""
    return {**problem.as_dict(), "loc": list(loc) if loc is not None else None}


def problems_response(problems: Iterable[dict[str, Any]], status_code: int = 422) -> JSONResponse:
    return JSONResponse({"detail": list(problems)}, status_code=status_code)


def _validation_problem(error: dict[str, Any]) -> dict[str, Any]:
    loc = [part if isinstance(part, int) else str(part) for part in error.get("loc", ())]
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    if error.get("type") == "json_invalid":
        message = f"not valid JSON: {error.get('ctx', {}).get('error', message)}"
    named = [part for part in loc[1:] if isinstance(part, str)]
    return {
        "file": loc[0] if loc else None,
        "row": None,
        "column": ".".join(named) or None,
        "message": message,
        "loc": loc,
    }


def unparsed_body_problem(cause: BaseException | None) -> dict[str, Any] | None:
    """A body FastAPI could not parse at all (not UTF-8 text, nested too deep for the JSON
    reader), which it answers 400 "There was an error parsing the body", phrased as the
    invalid JSON `{bad` is (`_validation_problem`); None for any other cause."""
    if isinstance(cause, UnicodeDecodeError):
        why, loc = f"the body is not UTF-8 text (byte {cause.object[cause.start]:#04x} at {cause.start})", \
            ["body", cause.start]
    elif isinstance(cause, RecursionError):
        why, loc = "the body nests arrays or objects too deep to read", ["body"]
    else:
        return None
    return {"file": "body", "row": None, "column": None, "message": f"not valid JSON: {why}", "loc": loc}


class InputProblems(Exception):
    """Bad input already phrased as problem dicts (with `loc` where the body has one)."""

    def __init__(self, problems: list[dict[str, Any]]):
        super().__init__("; ".join(p["message"] for p in problems))
        self.problems = problems


def install_problem_handlers(app: FastAPI) -> None:
    """Make every kind of bad input answer 422 in the one problem shape."""

    async def on_validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problems_response(_validation_problem(error) for error in exc.errors())

    async def on_input_error(_request: Request, exc: InputError) -> JSONResponse:
        return problems_response(problem_dict(problem) for problem in exc.problems)

    async def on_input_problems(_request: Request, exc: InputProblems) -> JSONResponse:
        return problems_response(exc.problems)

    async def on_limit(_request: Request, exc: LimitExceeded) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "limit": exc.limit}, status_code=413)

    async def on_http_error(request: Request, exc: Exception) -> Any:
        # FastAPI's 400 for a body it cannot parse (bad UTF-8, 100000-deep nesting) is
        # bad input like `{bad`: the same 422 shape. Every other HTTPException as before.
        if isinstance(exc, StarletteHTTPException) and exc.status_code == 400 \
                and (problem := unparsed_body_problem(exc.__cause__)) is not None:
            return problems_response([problem])
        return await http_exception_handler(request, exc)  # type: ignore[arg-type]

    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(LimitExceeded, on_limit)
    app.add_exception_handler(InputError, on_input_error)
    app.add_exception_handler(InputProblems, on_input_problems)


class InternalErrors:
    """Answer an unexpected exception (a bug, never the caller's input) with 500 and an
    error id to report; the traceback is logged under that id."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            error_id = new_error_id()
            log.error("internal error %s on %s %s", error_id, scope.get("method"), scope.get("path"),
                      exc_info=exc)
            if started:
                raise  # the answer is already on its way: nothing else can be sent
            payload = {
                "detail": f"internal error {error_id}: a bug in fieldweek, not in the request; "
                f"report this error id",
                "error_id": error_id,
            }
            await JSONResponse(payload, status_code=500)(scope, receive, send)


class BodySizeLimit:
    """Refuse request bodies over `max_bytes` with 413 naming the limit, before any parsing.

    The body is read here (at most `max_bytes` + one chunk) and replayed to the app,
    so bodies sent without Content-Length are capped too.
    """

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        payload = {
            "detail": f"the request body is larger than this service's limit of "
            f"{self.max_bytes} bytes",
            "limit": self.max_bytes,
        }
        response = JSONResponse(payload, status_code=413)
        await response(scope, receive, send)


class LimitExceeded(Exception):
    """A request over one of the configured limits; answered 413 naming the limit."""

    def __init__(self, what: str, value: float, limit: float, unit: str = ""):
        super().__init__(
            f"{what} ({value:g}{unit}) is over this service's limit of {limit:g}{unit}"
        )
        self.limit = limit
