"""Each cell's yellow boxes, opened (app/cells/sums.py): for every form of every cell, every
box's sum for every unit at every step, put through its activation, is the value the
cell's own step computed, and every box is one the cell's diagram draws."""

import re
from pathlib import Path

import numpy as np
import pytest

from tests.cells.test_every_cell import FORMS
from tests.helpers import tiny_model

DIAGRAMS = Path(__file__).parents[2] / "static" / "js" / "diagram"


def opened(model, ids):
    """Every layer's sums at every step, with the record each belongs to and what it started from."""
    records, _ = model.forward(ids, model.zero_state())
    xs = model.inputs(ids)
    for layer, params in enumerate(model.layers):
        prev = {name: np.zeros(model.hidden_size, np.float32) for name in model.cell.states}
        for t, record in enumerate(records[layer]):
            below = records[layer - 1][t] if layer else None
            x = below.h if below is not None else xs[t]
            for unit in range(model.hidden_size):
                yield layer, t, record, prev, model.cell.layer_sums(params, prev, record, x, below, unit), unit
            prev = {name: getattr(record, name) for name in model.cell.states}


@pytest.mark.parametrize("cell_name,options", FORMS)
def test_every_box_sum_through_its_activation_is_the_value_the_step_computed(cell_name, options):
    model = tiny_model(cell=cell_name, layers=2, options=options, hidden=6)
    ids = np.array([3, 1, 4, 1, 5, 9, 2, 6])
    checked = 0
    for layer, t, record, prev, sums, unit in opened(model, ids):
        assert len({s.box for s in sums}) == len(sums)
        for layer_sum in sums:
            where = f"{cell_name} layer {layer} t {t} unit {unit} {layer_sum.box}"
            if layer_sum.used:
                np.testing.assert_allclose(layer_sum.output, layer_sum.value, atol=2e-6, err_msg=where)
                checked += 1
            else:  # an idle clockwork unit keeps h_{t-1}
                assert layer_sum.value == prev["h"][unit], where
            if layer_sum.vector is not None:
                assert layer_sum.value == getattr(record, layer_sum.vector)[unit], where
    assert checked > 0


@pytest.mark.parametrize("cell_name,options", FORMS)
def test_every_box_opened_is_a_yellow_box_of_the_cells_diagram(cell_name, options):
    model = tiny_model(cell=cell_name, layers=2, options=options, hidden=6)
    boxes = {s.box for *_, sums, _ in opened(model, np.array([1, 2])) for s in sums}
    families = {figure.family for figure in model.cell.figures(options)}
    drawn = {
        box
        for family in families
        for box in re.findall(
            r'layerBox\([^,]+,[^,]+,[^,]+,\s*"[^"]+",\s*"([^"]+)"', (DIAGRAMS / f"{family}.js").read_text()
        )
    }
    assert boxes <= drawn, f"{cell_name}: {boxes - drawn} drawn nowhere"


def test_a_clockwork_unit_whose_module_idles_passes_its_sum_over():
    model = tiny_model(cell="cwrnn", options={"periods": [1, 2, 4]}, hidden=6)  # units 2–3 tick every 2nd step
    by_step = {t: sums for layer, t, _, _, sums, unit in opened(model, np.array([1, 2, 3, 4])) if unit == 2}
    assert [by_step[t][0].used for t in range(4)] == [True, False, True, False]


def test_a_one_entry_part_is_a_per_unit_weight():
    """A peephole reads only its own unit's C: one entry, indexed by the unit."""
    model = tiny_model(cell="peephole", options={"peepholes": ["f"]}, hidden=5)
    *_, sums, unit = list(opened(model, np.array([1, 2])))[-1]
    forget = next(s for s in sums if s.box == "forget")
    peephole = forget.parts[-1]
    assert (peephole.reads, peephole.index, unit) == ("c_prev", (4,), 4)
    assert peephole.weights[0] == model.layers[0].peepholes["f"][4]
