import json

import numpy as np
import pytest

from pipeline.errors import InputError
from pipeline.judge.model import SHIPPED_DIR, NLIJudge, label_order


def test_shipped_model_loads_through_the_hugging_face_path_loader():
    """The shipped model is a plain model folder: the same loader a user's HF model goes through."""
    judge = NLIJudge(str(SHIPPED_DIR))
    config = json.loads((SHIPPED_DIR / "config.json").read_text())
    assert [config["id2label"][str(i)] for i in judge.columns] == ["entailment", "neutral", "contradiction"]
    assert len(judge.sha256) == 64
    premise = "The harbour reopened on 3 May after two weeks of repairs."
    claims = ["The harbour reopened in May.", "The harbour reopened on 3 June.", "The harbour never reopened.",
              "The mayor likes jazz."]
    probs = judge.score([premise] * len(claims), claims)
    assert probs.shape == (4, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert list(probs.argmax(axis=1)) == [0, 2, 2, 1]


def test_label_order_is_read_from_config():
    assert label_order({0: "CONTRADICTION", 1: "ENTAILMENT", 2: "NEUTRAL"}) == [1, 2, 0]
    assert label_order({"0": "entailment", "1": "not_entailment"}) == [0, 1, -1]
    with pytest.raises(InputError, match="not NLI labels"):
        label_order({0: "positive", 1: "negative"})


def test_unknown_verifier_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="cannot load verifier"):
        NLIJudge(str(tmp_path / "no-such-model"))
