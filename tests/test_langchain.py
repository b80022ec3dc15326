"""citetrail inside LCEL chains: the retriever and the check Runnable on the real sample store."""

from langchain_core.prompts import PromptTemplate
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from pipeline import Verdict
from pipeline.langchain import CitetrailRetriever, check_runnable
from pipeline.load import load_paths
from tests.conftest import CORPUS

TEXTS = {d.id: d.text for d in load_paths([CORPUS], 10**7).documents}
CLAIM = "Russia wants about 6,000 square kilometres it has not yet conquered"


def test_retriever_feeds_cited_stance_scored_passages_into_a_prompt(sample_verifier):
    retriever = CitetrailRetriever(verifier=sample_verifier, k=3)
    prompt = PromptTemplate.from_template("Claim: {claim}\nEvidence:\n{evidence}")
    chain = {"evidence": retriever | RunnableLambda(lambda docs: "\n".join(
        f"[{d.metadata['stance']}] {d.page_content}" for d in docs)), "claim": RunnablePassthrough()} | prompt
    docs = retriever.invoke(CLAIM)
    assert 1 <= len(docs) <= 3  # only sentences about the claim, which the verifier read
    top = docs[0]
    assert "6,000 square kilometers" in top.page_content
    assert top.metadata["stance"] == "supports" and top.metadata["verdict"] == "SUPPORTED"
    assert top.metadata["entailment"] > 0.5 and top.metadata["title"]
    for d in docs:
        assert TEXTS[d.metadata["doc_id"]][d.metadata["start"]:d.metadata["end"]] == d.page_content
    text = chain.invoke(CLAIM).to_string()
    assert text.startswith(f"Claim: {CLAIM}") and "[supports] " in text and "6,000 square kilometers" in text


def test_check_runnable_verifies_claims_and_an_llm_answer(sample_verifier):
    claims = check_runnable(sample_verifier).invoke([CLAIM, "The EU approved new sanctions on Russia"])
    assert [r.verdict for r in claims] == [Verdict.SUPPORTED, Verdict.NOT_ENOUGH_INFO]

    answer = ("Russia wants about 6,000 square kilometers of Ukrainian territory that it has not yet conquered. "
              "The European Union approved new sanctions on Russia last week.")
    rag = RunnableLambda(lambda question: answer) | check_runnable(sample_verifier, extract=True)
    results = rag.invoke("What does Russia want?")
    assert len(results) >= 2
    by_text = {r.claim.text: r for r in results}
    supported = [r for r in results if r.verdict == Verdict.SUPPORTED]
    assert supported, by_text
    assert any("6,000 square kilometers" in c.quote for r in supported for c in r.citations)
    assert any("sanctions" in t and by_text[t].verdict == Verdict.NOT_ENOUGH_INFO for t in by_text), by_text
