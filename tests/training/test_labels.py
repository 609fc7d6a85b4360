import numpy as np
import pytest

from app.cli import main
from app.models.format import load_model
from app.models.registry import model_summary
from app.training import network
from app.training.convert import to_model
from app.training.labels import (
    correlations,
    find_units,
    states_by_token,
    untrained_twin,
)
from app.training.network import Shape
from app.training.tasks.counter import COUNTER


@pytest.fixture(scope="module")
def counter_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "counter.npz"
    assert main(["train", "counter", "--epochs", "4", "-o", str(path)]) == 0
    return path


def test_correlation_is_pearsons_r_per_unit():
    rng = np.random.default_rng(0)
    feature = rng.normal(size=200)
    values = np.stack([2 * feature + 1, -feature, rng.normal(size=200), np.ones(200)], axis=1)
    r = correlations(values, feature)
    assert r[0] == pytest.approx(1) and r[1] == pytest.approx(-1)
    assert r[2] == pytest.approx(np.corrcoef(values[:, 2], feature)[0, 1]) and r[3] == 0


def test_training_labels_a_unit_whose_cell_state_counts_bracket_depth(counter_file):
    units = load_model(counter_file).info["units"]
    best = units[0]
    assert best["feature"] == "bracket depth" and best["vector"] == "c" and abs(best["r"]) > 0.9
    assert all(abs(u["r"]) - u["untrained_r"] >= 0.2 for u in units)


def test_an_untrained_model_gets_no_labels(counter_file):
    assert find_units(untrained_twin(load_model(counter_file), seed=5), COUNTER) == []


def test_the_models_api_lists_the_labelled_units(counter_file):
    summary = model_summary(load_model(counter_file), bundled=False)
    assert summary.units[0].feature == "bracket depth"
    assert summary.metrics["test"]["accuracy"] > 0.9


def test_label_rewrites_the_file_with_the_units(counter_file, tmp_path):
    copy = tmp_path / "copy.npz"
    copy.write_bytes(counter_file.read_bytes())
    assert main(["label", str(copy)]) == 0
    assert load_model(copy).info["units"] == load_model(counter_file).info["units"]


def test_states_by_token_gives_tanh_c_beside_c_for_cells_with_a_belt(counter_file):
    model = load_model(counter_file)
    states = states_by_token(model, [list("(()"), list("())(")])
    assert set(states) == {(0, "c"), (0, "h"), (0, "tanh_c")}
    assert states[(0, "c")].shape == (7, model.hidden_size)
    assert np.allclose(states[(0, "tanh_c")], np.tanh(states[(0, "c")]))
    shape = Shape("gru", vocab=len(model.tokenizer.vocab), hidden=3)
    gru = to_model(shape, network.init_params(shape, 0), model.tokenizer, "gru", "", {})
    assert set(states_by_token(gru, [list("()")])) == {(0, "h")}  # no C, so no tanh(C)


def test_a_unit_is_labelled_once_per_feature_by_its_best_vector(counter_file):
    units = find_units(load_model(counter_file), COUNTER)
    keys = [(u["feature"], u["layer"], u["unit"]) for u in units]
    assert len(keys) == len(set(keys))
