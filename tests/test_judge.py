"""Cross-encoder judges: the shipped int8 verifier, and any Hugging Face model, its labels read or mapped."""

import json

import numpy as np
import pytest

from pipeline.aggregate import verdict_rules
from pipeline.config import load_settings
from pipeline.errors import InputError
from pipeline.hashing import file_sha256
from pipeline.judge import Judge, load_judge
from pipeline.judge.model import SHIPPED_DIR, OnnxNLIJudge, TorchNLIJudge, label_columns, nli_judge
from pipeline.models import VerdictRules


def test_shipped_model_loads_through_the_hugging_face_path_loader():
    """The shipped model is a plain model folder: the same loader a user's HF model goes through."""
    judge = nli_judge(str(SHIPPED_DIR))
    assert isinstance(judge, OnnxNLIJudge) and isinstance(judge, Judge)
    config = json.loads((SHIPPED_DIR / "config.json").read_text())
    assert [[config["id2label"][str(i)] for i in cols] for cols in judge.columns] == [["entailment"], ["neutral"], ["contradiction"]]
    assert judge.version == file_sha256(SHIPPED_DIR / "model.onnx") and judge.calibration == SHIPPED_DIR / "calibration.json"
    premise = "The harbour reopened on 3 May after two weeks of repairs."
    claims = ["The harbour reopened in May.", "The harbour reopened on 3 June.", "The harbour never reopened.",
              "The mayor likes jazz."]
    probs = judge.score([premise] * len(claims), claims)
    assert probs.shape == (4, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert list(probs.argmax(axis=1)) == [0, 2, 2, 1]


def test_the_default_judge_is_the_shipped_one_with_the_rules_fitted_for_it():
    judge = load_judge(load_settings())
    assert judge.name == "citetrail-verifier" and judge is load_judge(load_settings())  # loaded once per process
    calibration = json.loads((SHIPPED_DIR / "calibration.json").read_text())
    assert judge.temperature == calibration["temperature"]
    assert verdict_rules(judge, load_settings()) == VerdictRules(**calibration["rules"])
    assert verdict_rules(judge, load_settings(refute_threshold=0.9)).refute == 0.9


def test_label_columns_are_read_from_config_or_mapped():
    assert label_columns({0: "CONTRADICTION", 1: "ENTAILMENT", 2: "NEUTRAL"}) == [[1], [2], [0]]
    assert label_columns({"0": "entailment", "1": "not_entailment"}) == [[0], [1], []]
    with pytest.raises(InputError, match=r"not NLI labels .* verifier_labels"):
        label_columns({0: "unsupported", 1: "supported"})
    minicheck = {"Unsupported": "neutral", "Supported": "entailment"}
    assert label_columns({0: "unsupported", 1: "supported"}, minicheck) == [[1], [0], []]
    assert label_columns({0: "a", 1: "b", 2: "c"}, {"a": "entailment", "b": "neutral", "c": "neutral"}) == [[0], [1, 2], []]
    with pytest.raises(InputError, match=r"names none of the verifier's labels \['unsupported'\]"):
        label_columns({0: "unsupported", 1: "supported"}, {"supported": "entailment"})
    with pytest.raises(InputError, match="not NLI labels"):
        label_columns({0: "unsupported", 1: "supported"}, {"supported": "neutral", "unsupported": "contradiction"})


def test_unknown_verifier_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="cannot load verifier"):
        nli_judge(str(tmp_path / "no-such-model"))


@pytest.fixture(scope="module")
def two_way_model(tmp_path_factory):
    """A real two-way (MiniCheck-style) sequence classifier: the MiniLM base with a fresh 2-label head, saved as any
    Hugging Face model folder is, labels named "unsupported" and "supported"."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from pipeline.training.train import base_model_path

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("minicheck-like")
    model = AutoModelForSequenceClassification.from_pretrained(base_model_path(), num_labels=2,
                                                               id2label={0: "unsupported", 1: "supported"},
                                                               label2id={"unsupported": 0, "supported": 1})
    with torch.no_grad():  # a head that does not sit at 50/50, so the columns are told apart
        model.classifier.weight.normal_(0, 0.5)
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(base_model_path()).save_pretrained(folder)
    return folder


def test_a_two_way_model_with_mapped_labels_gives_contradiction_zero(two_way_model):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    settings = load_settings(verifier=str(two_way_model), verifier_labels={"supported": "entailment", "unsupported": "neutral"})
    judge = load_judge(settings)
    assert isinstance(judge, TorchNLIJudge) and judge.name == str(two_way_model)
    assert judge.version == file_sha256(two_way_model / "model.safetensors") and judge.calibration is None
    assert verdict_rules(judge, settings) == VerdictRules()  # nothing fitted for it: the defaults
    premises = ["The harbour reopened on 3 May.", "Sales rose 5% in 2024.", "The bridge opened in 1932."]
    claims = ["The harbour reopened in May.", "Sales fell in 2024.", "The bridge is painted red."]
    probs = judge.score(premises, claims, batch_size=2)
    assert probs.shape == (3, 3) and (probs[:, 2] == 0).all()  # no contradiction column: probability 0
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    # entailment is the model's own P(supported), computed here without citetrail
    tokenizer, model = AutoTokenizer.from_pretrained(two_way_model), AutoModelForSequenceClassification.from_pretrained(two_way_model)
    with torch.no_grad():
        expected = model(**tokenizer(premises, claims, return_tensors="pt", padding=True)).logits.softmax(-1)[:, 1].numpy()
    np.testing.assert_allclose(probs[:, 0], expected, atol=1e-5)
    assert np.ptp(probs[:, 0]) > 0.01  # the pairs are told apart, not a constant
    with pytest.raises(InputError, match="verifier_labels"):
        load_judge(load_settings(verifier=str(two_way_model)))  # unmapped, "unsupported" is no NLI label


def test_verifier_labels_from_the_environment_are_json(monkeypatch):
    monkeypatch.setenv("CITETRAIL_VERIFIER_LABELS", '{"supported": "entailment", "unsupported": "neutral"}')
    assert load_settings().verifier_labels == {"supported": "entailment", "unsupported": "neutral"}
    monkeypatch.setenv("CITETRAIL_VERIFIER_LABELS", '{"supported": "true"}')
    with pytest.raises(InputError, match="bad setting verifier_labels"):
        load_settings()
    monkeypatch.setenv("CITETRAIL_VERIFIER_LABELS", "supported=entailment")
    with pytest.raises(InputError, match="must be a JSON object"):
        load_settings()
