"""The bundled `code` model's labels hold on Python it was not trained on. They were found
on 100 chunks of 400 characters of the held-out files (`find_units`, draw seed 0); here
they are measured again on 300 other chunks, and the string unit on every character of
those files, each read whole from a zero state (the issue's target: |r| ≥ 0.7)."""

from pathlib import Path

import numpy as np
import pytest

from app.models.format import load_model
from app.training.labels import correlations, states_by_token
from app.training.tasks.code import code_task, held_out_files, python_features, read, stdlib_files

CODE = Path(__file__).resolve().parents[2] / "app" / "models" / "bundled" / "code.npz"


@pytest.fixture(scope="module")
def model():
    return load_model(CODE)


def unit_r(states, features, label) -> float:
    return float(correlations(states[(label["layer"], label["vector"])], features[label["feature"]])[label["unit"]])


def measured(model, texts: list[list[str]]):
    per_text = [python_features(text) for text in texts]
    features = {name: np.concatenate([np.asarray(f[name], float) for f in per_text]) for name in per_text[0]}
    return states_by_token(model, texts), features


def strongest_per_feature(labels: list[dict]) -> list[dict]:
    best = {}
    for label in labels:
        if abs(label["r"]) > abs(best.get(label["feature"], {"r": 0})["r"]):
            best[label["feature"]] = label
    return list(best.values())


def test_the_string_unit_reaches_the_issues_target_on_every_held_out_character(model):
    known = set(model.tokenizer.vocab)
    texts = [[char if char in known else "?" for char in read([path])] for path in held_out_files(stdlib_files())]
    states, features = measured(model, texts)
    [label] = [u for u in strongest_per_feature(model.info["units"]) if u["feature"] == "inside a string"] or [None]
    assert label is not None, "the bundled code model has no string unit"
    r = unit_r(states, features, label)
    assert abs(r) >= 0.7 and np.sign(r) == np.sign(label["r"])


def test_each_features_unit_holds_on_other_held_out_chunks(model):
    task = code_task()
    assert task.tokenizer.vocab == model.tokenizer.vocab
    chunks = [chunk for seed in (1, 2, 3) for chunk in task.label_samples(100, seed)]  # the labels used seed 0
    states, features = measured(model, chunks)
    best = strongest_per_feature(model.info["units"])
    assert {"inside a string", "inside a triple-quoted string", "bracket depth", "indentation"} <= {
        u["feature"] for u in best
    }
    for label in best:
        r = unit_r(states, features, label)
        assert np.sign(r) == np.sign(label["r"]) and abs(r) >= 0.6 and abs(r - label["r"]) < 0.1, (label, r)
