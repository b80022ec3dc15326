"""The HTTP API (`/v1/...`), the web app and the MCP endpoint, served by one process over one Service.

Bodies are the same pydantic models `check --json` prints. Errors are JSON, `{"error": message,
"exit_code": n}`, with the message and exit code the CLI would give: 400 for bad input (404 when the
run, claim or document does not exist), 409 when a second ingest is asked for, 503 (with
Retry-After) when the store is busy or unusable, 413 for an over-long body, 401 without the token.
"""

from __future__ import annotations

import hmac
import json
import re
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.api import IngestReport, citetrail_version
from pipeline.batch import read_claims
from pipeline.errors import CitetrailError, InputError
from pipeline.models import AuditReport, CheckResult, Extraction, Run, Verdict, Versions
from pipeline.render.claimreview import claim_reviews
from pipeline.serve.service import DocumentInfo, DocumentText, IngestRunning, SearchHit, Service, StoreBusy

STATIC = Path(__file__).parent / "static"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
NOT_FOUND = re.compile(r"^(no run |no document |run \S+ has no claim )")


class ApiError(BaseModel):
    """Every error the API gives: the CLI's one-line message and the exit code the CLI would use."""

    error: str
    exit_code: int


class CheckRequest(BaseModel):
    claim: str = Field(description="the claim to check")
    trail: bool = Field(False, description="include every retrieved chunk and judged sentence")


class CheckManyRequest(BaseModel):
    claims: list[str] = Field(description="claims to check; retrieval and judging are batched across them", max_length=256)
    trail: bool = False


class TextRequest(BaseModel):
    text: str = Field(description="an article or any text")
    title: str = Field("", description="its title (default: its first line)")
    trail: bool = Field(False, description="audit only: include the trails")


class SearchRequest(BaseModel):
    query: str
    k: int = Field(5, ge=1, le=50)


class ClaimsRequest(BaseModel):
    claims: list[str | dict[str, Any]] = Field(description="claims as text, or objects with `claim`, optional `id` and other "
                                               "fields kept as metadata (one row of a .jsonl claims file)")
    skip_bad_rows: bool = False


class RunProgress(Run):
    """A run as the run store holds it, with this server's progress and error if it checks it now."""

    done: int = Field(0, description="claims with a result, as the batch worker last reported")
    error: str | None = Field(None, description="why the run failed, when it failed on this server")


class Health(BaseModel):
    status: str
    citetrail: str
    chunks: int | None = Field(description="chunks in the store; None while this server writes to it")
    ingesting: bool
    store: str


def model_json(value: BaseModel | list[CheckResult]) -> Response:
    """Serialised once, by pydantic, as `check --json` does (FastAPI would validate the model again first)."""
    if isinstance(value, list):
        return Response(b"[" + b",".join(r.model_dump_json().encode() for r in value) + b"]", media_type="application/json")
    return Response(value.model_dump_json(), media_type="application/json")


def error_response(status: int, message: str, exit_code: int, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": " ".join(message.splitlines()), "exit_code": exit_code}, status_code=status, headers=headers)


class BodyLimit:
    """Refuse request bodies over `limit` bytes (413), by Content-Length and by counting what arrives."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await error_response(413, f"the request body is over the limit of {self.limit} bytes", 2)(scope, receive, send)
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge:
            await error_response(413, f"the request body is over the limit of {self.limit} bytes", 2)(scope, receive, send)


class BodyTooLarge(Exception):
    pass


LOCAL_NAMES = (b"127.0.0.1", b"localhost", b"[::1]")


class TokenGate:
    """With a token set, every API and MCP request must carry `Authorization: Bearer TOKEN` (compared in
    constant time); the web app's static files hold no data and are served to anyone, so its login works.
    Without a token the server answers only requests addressed to localhost, so a web page whose name
    is made to resolve to 127.0.0.1 (DNS rebinding) cannot reach it."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app, self.token = app, token.encode() if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.token and scope["type"] == "http":
            host = dict(scope["headers"]).get(b"host", b"")
            name = host.rsplit(b":", 1)[0] if not host.endswith(b"]") else host
            if name not in LOCAL_NAMES:
                return await error_response(400, "without a token this server answers only to localhost, 127.0.0.1 or [::1] "
                                            "(give --token to serve it under another name)", 2)(scope, receive, send)
        if self.token and scope["type"] == "http" and scope["path"].startswith(("/v1", "/mcp", "/openapi.json")):
            given = dict(scope["headers"]).get(b"authorization", b"")
            if not hmac.compare_digest(given, b"Bearer " + self.token):
                return await error_response(401, "this server needs its token: send the header Authorization: Bearer TOKEN", 2,
                                            {"WWW-Authenticate": "Bearer"})(scope, receive, send)
        await self.app(scope, receive, send)


def security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def create_app(service: Service, *, token: str | None = None, max_body_bytes: int = 25_000_000,
               cors_origins: list[str] | None = None, mcp: bool = True) -> ASGIApp:
    """The whole server as one ASGI app: API, web app and (with `mcp`) the MCP endpoint at /mcp."""
    mcp_server = None
    if mcp:
        from pipeline.serve.mcp import build_mcp

        mcp_server = build_mcp(service)
        from mcp.server.transport_security import TransportSecuritySettings

        # The SDK's own DNS rebinding guard would refuse a reverse proxy's Host; TokenGate guards both cases.
        mcp_app = mcp_server.streamable_http_app(streamable_http_path="/", stateless_http=True, json_response=True,
                                                 transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False))

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        try:
            if mcp_server is not None:
                async with mcp_server.session_manager.run():
                    yield
            else:
                yield
        finally:
            service.close()

    app = FastAPI(title="citetrail", version=citetrail_version(), lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Check claims against your own corpus, citing the passages that decide. Bodies are the "
                              "models `citetrail check --json` prints; errors are `{error, exit_code}`.",
                  responses={400: {"model": ApiError}, 503: {"model": ApiError}})
    if mcp_server is not None:
        app.mount("/mcp", mcp_app)

    @app.exception_handler(CitetrailError)
    async def known_error(_: Request, exc: CitetrailError) -> JSONResponse:
        if isinstance(exc, StoreBusy):
            return error_response(503, str(exc), exc.exit_code, {"Retry-After": "5"})
        if isinstance(exc, IngestRunning):
            return error_response(409, str(exc), exc.exit_code)
        if isinstance(exc, InputError):
            return error_response(404 if NOT_FOUND.match(str(exc)) else 400, str(exc), exc.exit_code)
        if exc.exit_code == 3:
            return error_response(503, str(exc), exc.exit_code)
        return error_response(500, str(exc), exc.exit_code)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return error_response(400, f"bad request{' ' + where if where else ''}: {first.get('msg', 'invalid')}", 2)

    @app.exception_handler(Exception)
    async def bug(_: Request, exc: Exception) -> JSONResponse:
        return error_response(500, f"unexpected {type(exc).__name__}: {exc}", 70)

    @app.middleware("http")
    async def headers(request: Request, call_next):
        return security_headers(await call_next(request))

    # ---- health ---------------------------------------------------------------------------

    @app.get("/v1/health", response_model=Health, tags=["server"])
    def health() -> Health:
        """Whether the server is up, how many chunks it serves, and whether an ingest is running."""
        store, writing = service.verifier.store, service.writing.is_set()
        return Health(status="ok", citetrail=citetrail_version(), chunks=None if writing else store.count(), ingesting=writing,
                      store=store.where)

    @app.get("/v1/versions", response_model=Versions, tags=["server"])
    def versions() -> Versions:
        """Everything that, changed, could change a result: models, chunker, index fingerprint, thresholds."""
        with service.turn() as v:
            return v.versions()

    # ---- checking -------------------------------------------------------------------------

    @app.post("/v1/check", response_model=CheckResult, tags=["check"])
    def check(body: CheckRequest) -> Response:
        """Check one claim: verdict, confidence, rule and citations (as `citetrail check --json`)."""
        return model_json(service.check([body.claim], trail=body.trail)[0])

    @app.post("/v1/check/many", response_model=list[CheckResult], tags=["check"])
    def check_many(body: CheckManyRequest) -> Response:
        """Check a list of claims in one call; results in the same order."""
        if not body.claims:
            raise InputError("give at least one claim")
        return model_json(service.check(body.claims, trail=body.trail))

    @app.post("/v1/extract", response_model=Extraction, tags=["check"])
    def extract(body: TextRequest) -> Extraction:
        """The checkable claims of a text, and the dropped ones with their reason (as `citetrail extract --json`)."""
        return service.extract(body.text, body.title)

    @app.post("/v1/audit", response_model=AuditReport, tags=["check"])
    def audit(body: TextRequest) -> AuditReport:
        """Extract a text's claims and check each one (as `citetrail audit --json`)."""
        return service.audit(body.text, body.title, body.trail)

    @app.post("/v1/search", response_model=list[SearchHit], tags=["check"])
    def search(body: SearchRequest) -> list[SearchHit]:
        """The corpus passages nearest a query (dense and BM25, fused), without judging them."""
        return service.search(body.query, body.k)

    # ---- runs -----------------------------------------------------------------------------

    def progress(run: Run) -> RunProgress:
        done, _ = service.progress.get(run.id, (run.checked, run.claims))
        return RunProgress(**run.model_dump(), done=max(done, run.checked), error=service.errors.get(run.id))

    @app.post("/v1/runs", response_model=RunProgress, status_code=202, tags=["runs"])
    def start_run(body: ClaimsRequest) -> RunProgress:
        """Start a batch run of a JSON list of claims; it is checked in the background: poll GET /v1/runs/{id}."""
        lines = "".join(json.dumps(c if isinstance(c, dict) else {"claim": c}) + "\n" for c in body.claims)
        return progress(service.start_batch(parse_claims("claims.jsonl", lines.encode(), body.skip_bad_rows)))

    @app.post("/v1/runs/upload", response_model=RunProgress, status_code=202, tags=["runs"])
    async def start_run_upload(file: Annotated[UploadFile, File(description="a .jsonl, .csv or .txt claims file")],
                               skip_bad_rows: bool = False) -> RunProgress:
        """Start a batch run of an uploaded claims file (as `citetrail batch FILE`)."""
        claims = parse_claims(file.filename or "claims.txt", await file.read(), skip_bad_rows)
        return progress(service.start_batch(claims))

    def parse_claims(filename: str, data: bytes, skip_bad_rows: bool):
        name = Path(filename.replace("\\", "/")).name
        suffix = Path(name).suffix.lower()
        with tempfile.TemporaryDirectory(prefix="citetrail-claims-") as folder:
            path = Path(folder) / f"claims{suffix}"
            path.write_bytes(data)
            try:
                claims = read_claims(path, service.verifier.settings.max_claim_chars, skip_bad_rows)
            except InputError as exc:
                raise InputError(str(exc).replace(str(path), name)) from None
        return claims.model_copy(update={"path": f"upload:{name}", "skipped": [s.replace(str(path), name) for s in claims.skipped]})

    @app.get("/v1/runs", response_model=list[RunProgress], tags=["runs"])
    def list_runs() -> list[RunProgress]:
        """Every run of the store, newest first, with verdict counts and status."""
        return [progress(r) for r in service.runs().runs()]

    @app.get("/v1/runs/{run_id}", response_model=RunProgress, tags=["runs"])
    def get_run(run_id: str) -> RunProgress:
        """One run: its status and progress (poll this while it runs)."""
        return progress(service.runs().run(run_id))

    @app.get("/v1/runs/{run_id}/results", response_model=list[CheckResult], tags=["runs"])
    def run_results(run_id: str, verdict: Verdict | None = None,
                    trail: Annotated[bool, Query(description="include each result's trail")] = False) -> list[CheckResult]:
        """A run's results in input order, optionally of one verdict only."""
        results = service.runs().results(run_id)
        return [r if trail else r.model_copy(update={"trail": None}) for r in results if verdict is None or r.verdict == verdict]

    @app.get("/v1/runs/{run_id}/claims/{claim_id}", response_model=CheckResult, tags=["runs"])
    def run_trail(run_id: str, claim_id: str) -> CheckResult:
        """The whole trail behind one verdict (as `citetrail trail RUN CLAIM --json`)."""
        return service.runs().result(run_id, claim_id)

    @app.get("/v1/runs/{run_id}/claimreview", tags=["runs"])
    def run_claimreview(run_id: str) -> JSONResponse:
        """The run's verdicts as schema.org ClaimReview JSON-LD, marked as automated reviews."""
        runs = service.runs()
        return JSONResponse(claim_reviews(runs.run(run_id), runs.results(run_id)), media_type="application/ld+json")

    # ---- documents ------------------------------------------------------------------------

    @app.get("/v1/documents", response_model=list[DocumentInfo], tags=["documents"])
    def list_documents() -> list[DocumentInfo]:
        """Every stored document: id, title, source, chunks."""
        return service.documents()

    @app.get("/v1/documents/{doc_id}", response_model=DocumentText, tags=["documents"])
    def get_document(doc_id: str) -> DocumentText:
        """A stored document with its text, so a citation's start and end can be shown in place."""
        return service.document(doc_id)

    @app.post("/v1/documents", response_model=IngestReport, tags=["documents"])
    async def upload_document(file: Annotated[UploadFile, File(description="a .txt, .md, .html or .jsonl file")]) -> IngestReport:
        """Ingest an uploaded file into the store (document id: the file's stem, or the JSONL ids)."""
        data = await file.read()
        from anyio import to_thread

        return await to_thread.run_sync(service.ingest_upload, file.filename or "upload.txt", data)

    @app.delete("/v1/documents/{doc_id}", response_model=IngestReport, tags=["documents"])
    def remove_document(doc_id: str) -> IngestReport:
        """Remove a document and its chunks from the store."""
        return service.remove_document(doc_id)

    # ---- web app --------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        path = STATIC / name
        if "/" in name or name.startswith(".") or not path.is_file():
            return error_response(404, f"no file {name}", 2)
        return FileResponse(path)

    wrapped: ASGIApp = app
    if cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        wrapped = CORSMiddleware(wrapped, allow_origins=cors_origins, allow_methods=["GET", "POST", "DELETE"],
                                 allow_headers=["Authorization", "Content-Type"])
    return TokenGate(BodyLimit(wrapped, max_body_bytes), token)
