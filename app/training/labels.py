"""Interpretable units: which unit's C or h follows a feature of the input.

For every unit u of every layer and every state vector the cell has (C and h for an
LSTM, h for an RNN or GRU; and tanh(C), what the output gate reads, beside every C: a
unit whose C runs far past ±1 can still switch in tanh(C)), and every feature the task
defines per token (bracket depth, the subject's gender, …), Pearson's correlation over
all tokens of held-out samples:
    r = cov(v_u, feature) / (σ(v_u) · σ(feature))
A unit is labelled only when |r| is high and clearly beats the best unit of an
untrained model of the same size (random weights already correlate with some
features, e.g. position in a line), so a label says something the training taught.
"""

from __future__ import annotations

import numpy as np

from app.models.model import Model
from app.training import network
from app.training.convert import from_model, to_model

MIN_R = 0.5  # a label needs |r| at least this
MIN_GAIN = 0.2  # and at least this much above the untrained model's best |r| for the feature
PER_FEATURE = 3  # labels kept per feature


def states_by_token(model: Model, samples: list[list[str]]) -> dict[tuple[int, str], np.ndarray]:
    """{(layer, "c"): (N, H)} over every token of every sample, each read from a zero
    state, as the app traces them (the app's own cells and Model.forward); with
    (layer, "tanh_c") beside every C."""
    columns: dict[tuple[int, str], list[np.ndarray]] = {}
    index = {token: i for i, token in enumerate(model.tokenizer.vocab)}
    for tokens in samples:
        records, _ = model.forward(np.array([index[t] for t in tokens]), model.zero_state())
        for layer, layer_records in enumerate(records):
            for name in model.cell.states:
                columns.setdefault((layer, name), []).append(np.stack([getattr(r, name) for r in layer_records]))
    states = {key: np.concatenate(parts) for key, parts in columns.items()}
    return states | {(layer, "tanh_c"): np.tanh(values) for (layer, name), values in states.items() if name == "c"}


def correlations(values: np.ndarray, feature: np.ndarray) -> np.ndarray:
    """Pearson r of each column of values (N, H) with feature (N,); 0 for a constant column."""
    v = values - values.mean(axis=0)
    f = feature - feature.mean()
    denominator = np.sqrt((v * v).sum(axis=0) * (f * f).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, (v * f[:, None]).sum(axis=0) / denominator, 0.0)


def all_correlations(model: Model, samples: list[list[str]], features: dict[str, np.ndarray]) -> dict:
    """{(feature, layer, vector): r per unit (H,)}."""
    states = states_by_token(model, samples)
    return {
        (name, layer, vector): correlations(values, feature)
        for name, feature in features.items()
        for (layer, vector), values in states.items()
    }


def untrained_twin(model: Model, seed: int = 0) -> Model:
    shape, _ = from_model(model)
    return to_model(shape, network.init_params(shape, seed), model.tokenizer, model.name + "-untrained", "", {})


def find_units(model: Model, task, samples: int = 100, seed: int = 0) -> list[dict]:
    """The labels: per feature, up to PER_FEATURE units with |r| ≥ MIN_R that beat the
    untrained twin's best |r| by MIN_GAIN, best first; each unit once, by its best
    vector (its C and tanh(C) would otherwise take two places)."""
    drawn = task.label_samples(samples, seed)
    per_token = [task.features(tokens) for tokens in drawn]
    features = {name: np.concatenate([np.asarray(f[name], float) for f in per_token]) for name in per_token[0]}
    trained = all_correlations(model, drawn, features)
    baseline = all_correlations(untrained_twin(model, seed), drawn, features)
    units = []
    for name in features:
        best_untrained = max(float(np.abs(r).max()) for (f, _, _), r in baseline.items() if f == name)
        found = [
            {
                "unit": int(u),
                "layer": layer,
                "vector": vector,
                "feature": name,
                "r": round(float(r[u]), 3),
                "untrained_r": round(best_untrained, 3),
            }
            for (f, layer, vector), r in trained.items()
            if f == name
            for u in range(len(r))
            if abs(r[u]) >= MIN_R and abs(r[u]) - best_untrained >= MIN_GAIN
        ]
        best_per_unit: dict[tuple[int, int], dict] = {}
        for unit in sorted(found, key=lambda unit: -abs(unit["r"])):
            best_per_unit.setdefault((unit["layer"], unit["unit"]), unit)
        units += list(best_per_unit.values())[:PER_FEATURE]
    return units
