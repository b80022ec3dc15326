"""`citetrail serve` as a client sees it: a real server process on a free port, real HTTP calls to every route."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time

import httpx
import pytest

from pipeline.store import store_lock
from tests.conftest import citetrail
from tests.serving import TOKEN, free_port, wait_for_run

CLAIM = "Russia wants about 6,000 sq km it has not conquered"


def same_result(a: dict, b: dict) -> None:
    """Two CheckResults agree in everything but their timings."""
    a, b = dict(a), dict(b)
    a.pop("timings_ms"), b.pop("timings_ms")
    assert a == b


def test_health_versions_and_openapi(served, sample_verifier):
    health = served.get("/v1/health").json()
    assert health["status"] == "ok" and health["chunks"] >= 14 and health["ingesting"] is False
    versions = served.get("/v1/versions").json()
    assert versions["verifier_model_sha256"] == sample_verifier.versions().verifier_model_sha256
    spec = served.get("/openapi.json").json()
    routes = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    for route in [("POST", "/v1/check"), ("POST", "/v1/check/many"), ("POST", "/v1/extract"), ("POST", "/v1/audit"),
                  ("POST", "/v1/runs"), ("POST", "/v1/runs/upload"), ("GET", "/v1/runs"), ("GET", "/v1/runs/{run_id}"),
                  ("GET", "/v1/runs/{run_id}/results"), ("GET", "/v1/runs/{run_id}/claims/{claim_id}"),
                  ("GET", "/v1/runs/{run_id}/claimreview"), ("GET", "/v1/documents"), ("POST", "/v1/documents"),
                  ("GET", "/v1/documents/{doc_id}"), ("DELETE", "/v1/documents/{doc_id}"), ("POST", "/v1/search")]:
        assert route in routes


def test_token_is_required_and_compared(served):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": TOKEN}):
        r = httpx.post(served.base + "/v1/check", json={"claim": CLAIM}, headers=headers)
        assert r.status_code == 401, headers
        assert r.json() == {"error": "this server needs its token: send the header Authorization: Bearer TOKEN", "exit_code": 2}
    assert httpx.get(served.base + "/mcp/", headers={}).status_code == 401
    proxied = httpx.get(served.base + "/v1/health", headers={"Host": "citetrail.example.org", "Authorization": f"Bearer {TOKEN}"})
    assert proxied.status_code == 200  # with a token, any name (a reverse proxy's) is served
    page = httpx.get(served.base + "/")  # the app's files hold no data: served without the token, so its login works
    assert page.status_code == 200 and "/static/app.js" in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert "access-control-allow-origin" not in httpx.options(served.base + "/v1/check", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}).headers


def test_check_is_the_library_result(served, sample_verifier):
    got = served.post("/v1/check", json={"claim": CLAIM}).json()
    same_result(got, json.loads(sample_verifier.check(CLAIM).model_dump_json()))
    assert got["citations"], got
    for c in got["citations"]:
        text = served.get(f"/v1/documents/{c['doc_id']}").json()["text"]
        assert text[c["start"]:c["end"]] == c["quote"]
    many = served.post("/v1/check/many", json={"claims": ["Trump met Putin in Moscow", CLAIM], "trail": True}).json()
    assert [r["claim"]["text"] for r in many] == ["Trump met Putin in Moscow", CLAIM]
    assert many[1]["verdict"] == got["verdict"] and many[1]["trail"]["candidates"]


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"claim": ""}, 400, "the claim is empty"),
    ({"claim": "x" * 1001}, 400, "the claim is 1001 characters long; the limit is 1000 (max_claim_chars)"),
    ({"claim": 5}, 400, "bad request claim: Input should be a valid string"),
    ({}, 400, "bad request claim: Field required"),
])
def test_bad_claims_get_the_cli_message(served, body, status, message):
    r = served.post("/v1/check", json=body)
    assert (r.status_code, r.json()) == (status, {"error": message, "exit_code": 2})


def test_bad_requests(served):
    r = served.post("/v1/check", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["exit_code"] == 2
    assert served.post("/v1/check/many", json={"claims": []}).json()["error"] == "give at least one claim"
    for path in ("/v1/runs/nope", "/v1/runs/nope/results", "/v1/documents/nope"):
        r = served.get(path)
        assert r.status_code == 404 and r.json()["exit_code"] == 2, path
    assert served.get("/v1/documents/nope").json()["error"] == "no document 'nope' in the store"
    assert served.delete("/v1/documents/nope").status_code == 404
    assert served.get("/static/../pipeline/cli.py").status_code == 404
    big = served.post("/v1/extract", json={"text": "a" * 2_100_000})
    assert big.status_code == 413 and big.json()["error"] == "the request body is over the limit of 2000000 bytes"


def test_extract_audit_and_search(served):
    text = ("Vance said Russia made significant concessions in the talks. Russia wants about 6,000 square kilometres "
            "it has not conquered. What happens next?")
    extraction = served.post("/v1/extract", json={"text": text}).json()
    checkable = [c["claim"]["text"] for c in extraction["claims"] if c["check_worthy"]]
    assert "Russia made significant concessions in the talks" in " ".join(checkable)
    assert any(c["drop_reason"] == "question" for c in extraction["claims"])
    audit = served.post("/v1/audit", json={"text": text}).json()
    assert audit["summary"]["checked"] == len(audit["results"]) == len(checkable)
    for r in audit["results"]:
        span = r["claim"]["span"]
        assert span and text[span["start"]:span["end"]].strip()
    hits = served.post("/v1/search", json={"query": "6,000 square kilometres", "k": 3}).json()
    assert len(hits) == 3 and "6,000" in hits[0]["text"]
    assert served.post("/v1/audit", json={"text": "   "}).json() == {"error": "the text is empty", "exit_code": 2}


def test_batch_run_in_the_background(served, tmp_path):
    claims = [{"id": "a1", "claim": CLAIM, "desk": "foreign"}, "Trump met Putin in Moscow", "Vance is the US vice president"]
    started = served.post("/v1/runs", json={"claims": claims})
    assert started.status_code == 202
    run = started.json()
    assert run["status"] in ("pending", "running", "done") and run["claims"] == 3 and run["input"] == "upload:claims.jsonl"
    run = wait_for_run(served, run["id"])
    assert run["status"] == "done" and run["checked"] == run["done"] == 3
    assert run["id"] in [r["id"] for r in served.get("/v1/runs").json()]
    results = served.get(f"/v1/runs/{run['id']}/results").json()
    assert [r["claim"]["id"] for r in results] == ["a1", "L2", "L3"] and results[0]["claim"]["metadata"] == {"desk": "foreign"}
    assert all(r["trail"] is None for r in results)
    verdict = results[0]["verdict"]
    filtered = served.get(f"/v1/runs/{run['id']}/results", params={"verdict": verdict}).json()
    assert filtered and all(r["verdict"] == verdict for r in filtered)
    assert served.get(f"/v1/runs/{run['id']}/results", params={"verdict": "MAYBE"}).status_code == 400
    trail = served.get(f"/v1/runs/{run['id']}/claims/a1").json()
    assert trail["trail"]["judgements"] and trail["verdict"] == verdict
    missing = served.get(f"/v1/runs/{run['id']}/claims/zz")
    assert missing.status_code == 404 and missing.json()["error"] == f"run {run['id']} has no claim 'zz'"

    reviews = served.get(f"/v1/runs/{run['id']}/claimreview")
    assert reviews.headers["content-type"].startswith("application/ld+json")
    cli = citetrail("report", run["id"], "--claimreview", str(tmp_path / "cr.json"), "--store", str(served.store))
    assert cli.returncode == 0, cli.stderr
    assert json.loads((tmp_path / "cr.json").read_text()) == reviews.json()
    first = reviews.json()[0]
    assert first["@type"] == "ClaimReview" and first["claimReviewed"] == CLAIM
    assert first["reviewRating"]["alternateName"] and "Automated review by citetrail" in first["reviewBody"]
    assert {a["identifier"] for a in first["itemReviewed"]["appearance"]} == {c["doc_id"] for c in results[0]["citations"]}
    scale = {"SUPPORTED": 5, "CONFLICTING": 3, "REFUTED": 1, "NOT_ENOUGH_INFO": None}
    assert [r.get("reviewRating", {}).get("ratingValue") for r in reviews.json()] == [scale[r["verdict"]] for r in results]
    assert [r["identifier"] for r in reviews.json()] == [f"{run['id']}/{r['claim']['id']}" for r in results]


def test_batch_from_an_uploaded_file(served):
    csv = "id,claim,desk\nx1,Trump met Putin in Moscow,world\nx2,,world\n"
    bad = served.post("/v1/runs/upload", files={"file": ("../../desk.csv", csv.encode())})
    assert bad.status_code == 400
    assert bad.json()["error"] == "desk.csv: 1 bad row(s), nothing checked (--skip-bad-rows skips them): line 3: the claim is empty"
    ok = served.post("/v1/runs/upload", params={"skip_bad_rows": "true"}, files={"file": ("desk.csv", csv.encode())})
    assert ok.status_code == 202 and ok.json()["skipped_rows"] == ["desk.csv:3: the claim is empty"]
    assert wait_for_run(served, ok.json()["id"])["checked"] == 1
    assert served.post("/v1/runs/upload", files={"file": ("claims.pdf", b"%PDF")}).status_code == 400


def test_documents_upload_show_remove(served, tmp_path):
    hostile = "Zorblax town news\nThe Zorblax ferry <script>alert(1)</script> carries 70 cars a day."
    r = served.post("/v1/documents", files={"file": ("../../../zorblax-news.txt", hostile.encode())})
    assert r.status_code == 200 and r.json()["added"] == ["zorblax-news"]
    assert not list(served.store.parent.glob("zorblax*")) and not list(served.store.glob("zorblax*"))
    listed = {d["id"]: d for d in served.get("/v1/documents").json()}
    assert listed["zorblax-news"]["source"] == "upload:zorblax-news.txt"
    assert served.get("/v1/documents/zorblax-news").json()["text"] == hostile
    check = served.post("/v1/check", json={"claim": "The Zorblax ferry carries 70 cars a day"}).json()
    assert check["verdict"] == "SUPPORTED" and check["citations"][0]["doc_id"] == "zorblax-news"
    again = served.post("/v1/documents", files={"file": ("zorblax-news.txt", hostile.encode())}).json()
    assert again["unchanged"] == ["zorblax-news"]
    assert served.delete("/v1/documents/zorblax-news").json()["removed"] == ["zorblax-news"]
    assert served.get("/v1/documents/zorblax-news").status_code == 404
    assert served.post("/v1/check", json={"claim": "The Zorblax ferry carries 70 cars a day"}).json()["verdict"] == "NOT_ENOUGH_INFO"
    bad = served.post("/v1/documents", files={"file": ("notes.exe", b"MZ")})
    assert bad.status_code == 400 and bad.json()["error"].startswith("notes.exe: unsupported file type '.exe'")
    assert served.post("/v1/documents", files={"file": ("empty.txt", b"  ")}).status_code == 400


def test_busy_store(served):
    """While this server ingests, checks are answered 503 at once and a second ingest 409; a store another
    process holds is waited for lock_timeout (2 s here), then 503 too. Never a hang."""
    big = "Big town report\n" + " ".join(f"The museum of Town {i} counted {i * 7} visitors in {1900 + i % 100}." for i in range(6000))
    upload = {}
    thread = threading.Thread(target=lambda: upload.setdefault("r", served.post(
        "/v1/documents", files={"file": ("big-town.txt", big.encode())})))
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not served.get("/v1/health").json()["ingesting"]:
            assert time.monotonic() < deadline and thread.is_alive(), "the ingest never started"
            time.sleep(0.02)
        t0 = time.monotonic()
        busy = served.post("/v1/check", json={"claim": CLAIM})
        assert busy.status_code == 503 and time.monotonic() - t0 < 2
        assert busy.json()["error"].endswith("is busy with an ingest; try again when it has finished")
        assert busy.headers["retry-after"] == "5"
        second = served.post("/v1/documents", files={"file": ("other.txt", b"Other\nThe other town has a museum.")})
        assert second.status_code == 409 and "already running" in second.json()["error"]
    finally:
        thread.join()
    assert upload["r"].status_code == 200 and upload["r"].json()["added"] == ["big-town"]
    assert served.delete("/v1/documents/big-town").status_code == 200

    with store_lock(served.store, exclusive=True, timeout=5):
        t0 = time.monotonic()
        held = served.post("/v1/check", json={"claim": CLAIM})
        assert held.status_code == 503 and 1.5 < time.monotonic() - t0 < 15
        assert "is busy" in held.json()["error"] and held.json()["exit_code"] == 3
    assert served.post("/v1/check", json={"claim": CLAIM}).status_code == 200


def test_serve_refuses_an_open_address_without_a_token(tmp_path):
    r = citetrail("serve", "--store", str(tmp_path / "none"), "--host", "0.0.0.0", "--port", str(free_port()))
    assert r.returncode == 2
    assert r.stderr.strip() == ("error: --host 0.0.0.0 makes the server reachable from other machines: give --token "
                                "(or CITETRAIL_TOKEN) too")
    short = citetrail("serve", "--store", str(tmp_path / "none"), "--token", "short")
    assert short.returncode == 2 and "at least 16 characters" in short.stderr


def test_start_up_says_whether_a_token_is_needed(served):
    assert re.search(r"citetrail serve: http://127\.0\.0\.1:\d+/ .*a token is required", served.log.read_text())



def test_concurrent_checks_are_batched_yet_each_its_own(served, sample_verifier):
    """Eight clients at once: their claims are checked together, and each gets exactly its own results."""
    claims = [CLAIM, "Trump met Putin in Moscow", "Vance is the US vice president", "Russia made concessions",
              "Ukraine wants security guarantees", "Russia wants about 9,000 sq km it has not conquered",
              "Vance spoke on NBC's Meet the Press", "The talks narrowed to two core issues"]
    got: dict[int, list] = {}

    def client(i: int) -> None:
        mine = [claims[i], claims[(i + 1) % 8]]
        got[i] = served.post("/v1/check/many", json={"claims": mine}).json()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = {c: json.loads(r.model_dump_json()) for c, r in zip(claims, sample_verifier.check_many(claims), strict=True)}
    for i in range(8):
        assert [(r["claim"]["id"], r["claim"]["text"]) for r in got[i]] == [("c1", claims[i]), ("c2", claims[(i + 1) % 8])]
        for r in got[i]:
            want = {**expected[r["claim"]["text"]], "claim": r["claim"]}
            same_result(r, want)


@pytest.mark.slow
def test_stopping_the_server_interrupts_a_run_that_resume_finishes(sample_store, tmp_path):
    """SIGTERM mid-batch: the server exits after the group in hand, the run is interrupted, not lost, and
    `citetrail batch --resume` checks the rest."""
    import shutil
    import signal

    from tests.serving import start_server

    store = tmp_path / "store"
    shutil.copytree(sample_store, store)
    proc, base = start_server(store, tmp_path / "serve.log")
    try:
        # without a token, only requests addressed to localhost are answered (DNS rebinding)
        for name in ("evil.example", "evil.example:80", "127.0.0.1.evil.example"):
            rebound = httpx.get(base + "/v1/health", headers={"Host": name})
            assert rebound.status_code == 400 and rebound.json()["error"].startswith("without a token this server answers only")
        assert httpx.get(base + "/v1/health", headers={"Host": "localhost:1"}).status_code == 200
        claims = [f"Russia wants about {n},000 sq km it has not conquered" for n in range(1, 121)]
        run = httpx.post(base + "/v1/runs", json={"claims": claims}, timeout=60).json()
        deadline = time.monotonic() + 120
        while httpx.get(f"{base}/v1/runs/{run['id']}").json()["done"] < 8:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal after its graceful shutdown
    finally:
        if proc.poll() is None:
            proc.kill()
    with sqlite3.connect(store / "runs.sqlite") as db:  # recorded by the server as it stopped, not inferred from a dead lock
        assert db.execute("SELECT status FROM runs WHERE id = ?", (run["id"],)).fetchone() == ("interrupted",)
    listed = json.loads(citetrail("runs", "--json", "--store", str(store)).stdout)
    assert listed[0]["id"] == run["id"] and listed[0]["status"] == "interrupted" and 8 <= listed[0]["checked"] < 120
    resumed = citetrail("batch", "--resume", run["id"], "--store", str(store), "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(citetrail("runs", "--json", "--store", str(store)).stdout)[0]["checked"] == 120
