"""The MCP server as an assistant meets it: the official SDK's client, over stdio and over streamable HTTP."""

from __future__ import annotations

import json
import sys

import anyio
import httpx
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.conftest import ROOT
from tests.serving import TOKEN

CLAIM = "Russia wants about 6,000 sq km it has not conquered"


async def session_calls(server) -> tuple[list[str], dict, object, dict]:
    async with Client(server) as client:
        tools = sorted(t.name for t in (await client.list_tools()).tools)
        checked = await client.call_tool("check_claim", {"claim": CLAIM})
        empty = await client.call_tool("check_claim", {"claim": "  "})
        search = await client.call_tool("search_corpus", {"query": "6,000 square kilometres", "k": 2})
        return tools, checked.structured_content, empty, search.structured_content


def test_mcp_over_stdio(sample_store, sample_verifier):
    params = StdioServerParameters(command=sys.executable, args=["-m", "pipeline.cli", "mcp", "--store", str(sample_store)],
                                   cwd=str(ROOT))
    tools, checked, empty, search = anyio.run(session_calls, params)
    assert tools == ["check_claim", "check_text", "search_corpus"]
    expected = sample_verifier.check(CLAIM)
    assert checked["verdict"] == expected.verdict.value and checked["confidence"] == expected.confidence
    assert [(c["doc_id"], c["start"], c["end"], c["quote"]) for c in checked["citations"]] == [
        (c.doc_id, c.start, c.end, c.quote) for c in expected.citations]
    assert empty.is_error and empty.content[0].text.endswith("the claim is empty")
    assert len(search["hits"]) == 2 and "6,000" in search["hits"][0]["text"]


def test_mcp_over_http_needs_the_token(served):
    async def calls():
        import httpx2  # the HTTP client the SDK's transport takes
        from mcp.client.streamable_http import streamable_http_client

        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120) as transport, \
                Client(streamable_http_client(served.base + "/mcp/", http_client=transport)) as client:
            result = await client.call_tool("check_text", {"text": f"{CLAIM}. Trump met Putin in Moscow."})
            return result.structured_content

    text = anyio.run(calls)
    assert text["summary"]["checked"] == len(text["results"]) == 2
    assert text["results"][0]["claim"]["span"] == {"start": 0, "end": len(CLAIM) + 1}
    denied = httpx.post(served.base + "/mcp/", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert denied.status_code == 401 and json.loads(denied.text)["exit_code"] == 2
