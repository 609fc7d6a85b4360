"""What holds for every cell: float32 throughout, a step changes nothing it is given, a
batch runs the same step, and each cell declares all of itself (app/cells/base.py)."""

from pathlib import Path

import numpy as np
import pytest

from app.cells import CELLS, get_cell
from tests.helpers import CELL_NAMES, tiny_model


def test_the_registry_holds_every_cell_of_the_article_in_its_order():
    assert tuple(CELLS) == CELL_NAMES


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_every_vector_of_every_layer_is_float32_and_finite(cell):
    model = tiny_model(cell=cell, layers=2)
    records, _ = model.forward(np.array([3, 1, 4, 1, 5]), model.zero_state())
    for layer in records:
        for record in layer:
            for name in record.GATES + record.STATES + record.EXTRAS:
                value = getattr(record, name)
                assert value.dtype == np.float32 and value.shape == (5,) and np.isfinite(value).all(), name


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_tracing_changes_neither_the_parameters_nor_the_state(cell):
    model = tiny_model(cell=cell, layers=2)
    before = [{k: v.copy() for k, v in model.cell.params_to_arrays(p, k).items()} for k, p in enumerate(model.layers)]
    states = model.zero_state()
    model.forward(np.array([1, 2, 3]), states)
    assert all(not np.any(value) for state in states for value in state if isinstance(value, np.ndarray))
    for k, params in enumerate(model.layers):
        for key, value in model.cell.params_to_arrays(params, k).items():
            np.testing.assert_array_equal(value, before[k][key], err_msg=key)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_no_tokens_leave_every_layer_where_it_was(cell):
    model = tiny_model(cell=cell, layers=2, embed=3, hidden=4)
    states = model.zero_state()
    records, new_states = model.forward(np.array([], dtype=int), states)
    assert records == [[], []] and new_states == states


# Every form a cell's options give it, and each kind of layer (the depth-gated LSTM's bottom one has no depth gate).
FORMS = [
    ("rnn", {}),
    ("lstm", {}),
    ("peephole", {"peepholes": ["f", "i", "o"]}),
    ("peephole", {"peepholes": ["f"]}),
    ("peephole", {"peepholes": ["i", "o"]}),
    ("cifg", {}),
    ("gru", {"gru_variant": "pytorch"}),
    ("gru", {"gru_variant": "article"}),
    ("dglstm", {}),
    ("cwrnn", {"periods": [1, 2, 4]}),
]
STATIC = Path(__file__).parents[2] / "static" / "js"
STRINGS = {lang: (STATIC / "i18n" / f"{lang}.js").read_text(encoding="utf-8") for lang in ("en", "zh")}


def figures_of(cell_name, options):
    cell = CELLS[cell_name]
    return cell, cell.figures(cell.check_options(options, 12))


def test_every_registered_cell_declares_its_step_backward_jacobian_sums_equations_and_diagram():
    assert {name for name, _ in FORMS} == set(CELLS)
    for name, cell in CELLS.items():
        for part in (cell.step_projected, cell.backward, cell.jacobian, cell.figures, cell.zero_state, cell.layer_sums):
            assert callable(part), f"{name}: {part}"
        figures = cell.figures(cell.default_options(12))
        assert figures and all(figure.stages for figure in figures), name
        for figure in figures:
            assert (STATIC / "diagram" / f"{figure.family}.js").is_file(), (
                f"{name}: no diagram module {figure.family}.js"
            )


@pytest.mark.parametrize("cell_name,options", FORMS)
def test_the_equations_define_every_vector_of_the_record_and_name_only_what_it_has(cell_name, options):
    cell, figures = figures_of(cell_name, options)
    records = [cell.record] if len(figures) == 1 else [get_cell("lstm").record, cell.record]  # dglstm: bottom, above
    for figure, record in zip(figures, records, strict=True):
        equations = [equation for stage in figure.stages for equation in stage.equations]
        defined = [equation.lhs.args[0] for equation in equations]
        assert sorted(defined) == sorted(record.GATES + record.STATES + record.EXTRAS), figure.family
        has = set(record.GATES + record.STATES + record.EXTRAS) | {f"{s}_prev" for s in record.STATES} | {"x"}
        if figure.reads_below:
            has.add("c_below")
        named = figure.vectors()
        assert named <= has, f"{cell_name}: {named - has} are not in its record"


@pytest.mark.parametrize("cell_name,options", FORMS)
def test_every_stage_and_note_has_its_words_in_both_languages(cell_name, options):
    _, figures = figures_of(cell_name, options)
    for figure in figures:
        keys = [key for stage in figure.stages for key in (f"stage_title_{stage.key}", f"stage_button_{stage.key}")]
        keys += (
            [key for stage in figure.stages for key in stage.notes] + [key for key, _ in figure.notes] + [figure.label]
        )
        keys += [key for stage in figure.stages for _, key in stage.story]
        for lang, table in STRINGS.items():
            missing = [key for key in keys if f"\n  {key}:" not in table]
            assert not missing, f"{lang}.js lacks {missing}"


@pytest.mark.parametrize("cell_name,options", FORMS)
def test_a_batch_runs_the_same_step_as_each_sequence_alone(cell_name, options):
    """Training's forward pass (B sequences at once) against traces of each sequence."""
    model = tiny_model(cell=cell_name, layers=2, options=options, hidden=6)
    rng = np.random.default_rng(5)
    ids = rng.integers(0, model.vocab_size, (7, 3))  # (T, B)
    xs, below = model.embedding[ids], None  # (T, B, X)
    for layer, params in enumerate(model.layers):
        tape = model.cell.forward(params, xs, model.cell.zero_state(6, np.float32, batch=3), below)
        for b in range(3):
            alone = model.forward(ids[:, b], model.zero_state())[0][layer]
            record = type(tape.records[0])  # (the depth-gated LSTM's bottom layer has no d)
            for name in record.GATES + record.STATES + record.EXTRAS:
                np.testing.assert_allclose(
                    tape.stack(name)[:, b], np.stack([getattr(r, name) for r in alone]), rtol=1e-5, atol=1e-6
                )
        xs, below = tape.stack("h"), tape
