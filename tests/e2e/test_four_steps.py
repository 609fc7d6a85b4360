"""The Four steps panel, for every cell: at each stage it shows the cell's own equations
(written out here by hand from the article and its papers, as the equations' text reads),
and every number it puts into them equals the trace's value for the selected unit."""

import httpx2
import pytest
from playwright.sync_api import expect

from tests.e2e.shown import shows, stage_numbers

TEXT = "I grew up"
T = 5

HX = "[ht−1,xt]"  # [h_{t-1}, x_t] as the equations' text reads
LSTM_STEPS = [
    [f"ft=σ(Wf·{HX}+bf)"],
    [f"it=σ(Wi·{HX}+bi)", f"C~t=tanh(WC·{HX}+bC)"],
    ["Ct=ft*Ct−1+it*C~t"],
    [f"ot=σ(Wo·{HX}+bo)", "ht=ot*tanh(Ct)"],
]
# model -> (layer, the units to read, each stage's equations)
STEPS = {
    "rnn-demo": (0, [2], [[f"ht=tanh(W·{HX}+b)"]]),
    "lstm-demo": (0, [3], LSTM_STEPS),
    # only the peepholes the model has (all three here), each a per-unit weight p_·
    "peephole-demo": (
        0,
        [3],
        [
            [f"ft=σ(Wf·{HX}+pf*Ct−1+bf)"],
            [f"it=σ(Wi·{HX}+pi*Ct−1+bi)", f"C~t=tanh(WC·{HX}+bC)"],
            ["Ct=ft*Ct−1+it*C~t"],
            [f"ot=σ(Wo·{HX}+po*Ct+bo)", "ht=ot*tanh(Ct)"],
        ],
    ),
    "cifg-demo": (
        0,
        [3],
        [[f"ft=σ(Wf·{HX}+bf)"], ["it=1−ft", f"C~t=tanh(WC·{HX}+bC)"], ["Ct=ft*Ct−1+(1−ft)*C~t"], LSTM_STEPS[3]],
    ),
    # PyTorch's form: r after W_h, and z keeps the old state
    "gru-demo": (
        0,
        [3],
        [
            [f"zt=σ(Wz·{HX}+bz)"],
            [f"rt=σ(Wr·{HX}+br)"],
            ["h~t=tanh(Wx·xt+bx+rt*(Wh·ht−1+bh))"],
            ["ht=(1−zt)*h~t+zt*ht−1"],
        ],
    ),
    # the article's (Cho et al.'s): r before the product, z writes the new
    "gru-article-demo": (
        0,
        [3],
        [
            [f"zt=σ(Wz·{HX}+bz)"],
            [f"rt=σ(Wr·{HX}+br)"],
            ["h~t=tanh(W·[rt*ht−1,xt]+b)"],
            ["ht=(1−zt)*ht−1+zt*h~t"],
        ],
    ),
    "dglstm-demo@0": (0, [3], LSTM_STEPS),  # the bottom layer has no layer below: no depth gate
    # above it, the depth gate is a step of its own, and its term joins the update
    "dglstm-demo@1": (
        1,
        [3],
        [
            LSTM_STEPS[0],
            LSTM_STEPS[1],
            ["dt=σ(Wxd·xt+wcd*CtL−1+wld*Ct−1+bd)"],
            ["Ct=ft*Ct−1+it*C~t+dt*CtL−1"],
            LSTM_STEPS[3],
        ],
    ),
    # unit 1 is in the period-1 module, which ticks at t = 5; unit 5 in the period-2 one, which idles
    "cwrnn-demo": (
        0,
        [1, 5],
        [
            ["at={1\u2003if\u00a0tmodTg=00\u2003otherwise"],
            [f"ht={{tanh(W·{HX}+b)\u2003if\u00a0tmodTg=0ht−1\u2003otherwise"],
        ],
    ),
}


def trace_values(server_url, model, layer, unit):
    """Every vector an equation can name, at step T for `unit`, from the API's trace."""
    steps = httpx2.post(f"{server_url}/api/trace", json={"model": model, "text": TEXT}).json()["steps"]

    def record(t, k=layer):
        step = steps[t]
        return step["layers"][k] if "layers" in step else step

    now, before = record(T), record(T - 1)
    values = {**{name: v[unit] for name, v in now["gates"].items()}}
    values |= {name: now[name][unit] for name in ("c", "h", "active") if name in now}
    values |= {f"{name}_prev": before[name][unit] for name in ("c", "h") if name in before}
    if layer > 0:
        values["c_below"] = record(T, layer - 1)["c"][unit]
    return values


@pytest.mark.parametrize("model", STEPS)
def test_every_stage_shows_the_cells_own_equations_with_the_traces_numbers(page, server_url, model):
    name, _, _ = model.partition("@")
    layer, units, stages = STEPS[model]
    page.goto(f"{server_url}/?model={name}&layer={layer}&text=I%20grew%20up&t={T}&panels=walkthrough")
    expect(page.get_by_test_id("diagram-container")).to_have_attribute("data-t", str(T))
    expect(page.locator('[data-testid="walkthrough"] [data-stage]')).to_have_count(len(stages))
    for unit in units:
        page.get_by_test_id("unit-input").fill(str(unit))
        page.get_by_test_id("unit-input").press("Enter")
        expect(page.get_by_test_id("stage-numbers")).to_have_attribute("data-unit", str(unit))
        api = trace_values(server_url, name, layer, unit)
        for k, equations in enumerate(stages):
            page.get_by_test_id(f"stage-{k}").click()
            expect(page.get_by_test_id(f"stage-{k}")).to_have_attribute("aria-pressed", "true")
            shown = page.locator('[data-testid="stage-equations"] .eq-line')
            expect(shown).to_have_text(equations)
            numbers = stage_numbers(page)
            expect(page.locator('[data-testid="stage-numbers"] .eq-line')).to_have_count(len(equations))
            for vector, value in numbers:
                assert shows(value, api[vector], 3), (
                    f"{model}, unit {unit}, stage {k}: {vector} = {value}, trace {api[vector]}"
                )
            # each equation ends in the value of what it defines
            ends = page.locator('[data-testid="stage-numbers"] .eq-line').evaluate_all(
                "ms => ms.map(m => [m.dataset.defines, [...m.querySelectorAll('mn[data-vector]')].at(-1)?.dataset.vector])"
            )
            assert all(defined == last for defined, last in ends), ends


def test_a_clockwork_unit_says_whether_its_module_ticks_and_why(page, server_url):
    """t = 5: the period-1 module (units 0-3) updates, the period-2 one (units 4-7) keeps h_{t-1}."""
    page.goto(f"{server_url}/?model=cwrnn-demo&text=I%20grew%20up&t={T}&panels=walkthrough&stage=1")
    numbers = page.get_by_test_id("stage-numbers")
    page.get_by_test_id("unit-input").fill("1")
    page.get_by_test_id("unit-input").press("Enter")
    expect(numbers).to_contain_text("(5mod1=0)")
    page.get_by_test_id("unit-input").fill("5")
    page.get_by_test_id("unit-input").press("Enter")
    expect(numbers).to_contain_text("ht=ht−1=")  # idle: it keeps its value
    expect(numbers).to_contain_text("(5mod2=1)")
    expect(page.get_by_test_id("stage-story")).to_contain_text("idles")
