"""One-unit cases worked out by hand: each variant's extra backward terms, written as
the scalar chain rule of its equations, against the cell's backward pass over its own
forward steps (dhs = 1, so the "loss" is h itself)."""

from types import SimpleNamespace

import numpy as np
import pytest

from app.cells import get_cell


def sig(z):
    return 1 / (1 + np.exp(-z))


def one_unit(rows, **extra):
    """A layer of one unit and one input (X = H = 1): W's rows are the gates' weights."""
    w_x, w_h, bias = rows
    params = {
        "weight_ih": np.array(w_x, float)[:, None],
        "weight_hh": np.array(w_h, float)[:, None],
        "bias_ih": np.array(bias, float),
        "bias_hh": np.zeros(len(bias)),
    }
    return params | {key: np.array([value], float) for key, value in extra.items()}


def run(cell_name, arrays, x, state, options=None, below=None, dhs=None):
    """The cell's forward steps and backward pass over xs (T, B = 1, X = 1), in float64;
    `below`, the cell state of the layer below, makes this a layer above the first."""
    cell = get_cell(cell_name)
    layer = 0 if below is None else 1
    options = cell.check_options(options or {}, len(state[0][0]))  # H: the state's width
    params = cell.params_from_arrays({f"{key}_l{layer}": v for key, v in arrays.items()}, layer, options, dtype=None)
    xs = np.array(x, float).reshape(-1, 1, 1)
    tape_below = None if below is None else SimpleNamespace(records=[SimpleNamespace(c=np.array([[below]]))])
    tape = cell.forward(params, xs, type(cell.zero_state(1))(*state), tape_below)
    hs = tape.stack("h")
    dhs = np.ones_like(hs) if dhs is None else np.asarray(dhs, float).reshape(hs.shape)
    grads, dxs, dlink = cell.backward(params, tape, dhs, True, None)
    return hs, {key: value.ravel() for key, value in grads.items()}, dxs, dlink


X, C0, H0 = 0.7, 0.6, -0.4
LSTM_ROWS = ([0.5, -0.3, 0.8, 0.4], [0.2, 0.6, -0.5, 0.3], [0.1, 0.9, -0.2, 0.05])  # rows i, f, g, o


def lstm_gates(rows, h0=H0, x=X):
    return [wx * x + wh * h0 + b for wx, wh, b in zip(*rows)]


def test_peephole_gradients_by_hand():
    p_f, p_i, p_o = 0.7, -0.4, 0.9
    params = one_unit(LSTM_ROWS, peephole_f=p_f, peephole_i=p_i, peephole_o=p_o)
    z_i, z_f, z_g, z_o = lstm_gates(LSTM_ROWS)
    i, f, g = sig(z_i + p_i * C0), sig(z_f + p_f * C0), np.tanh(z_g)
    c = f * C0 + i * g
    o = sig(z_o + p_o * c)
    h = o * np.tanh(c)
    dz_o = np.tanh(c) * o * (1 - o)
    dc = o * (1 - np.tanh(c) ** 2) + dz_o * p_o  # through tanh(C), and through o's peephole
    hs, grads, _, _ = run("peephole", params, [X], (np.array([[C0]]), np.array([[H0]])), {"peepholes": ["f", "i", "o"]})
    assert hs.item() == pytest.approx(h, rel=1e-12)
    assert grads["peephole_o"].item() == pytest.approx(dz_o * c, rel=1e-12)
    assert grads["peephole_f"].item() == pytest.approx(dc * C0 * f * (1 - f) * C0, rel=1e-12)
    assert grads["peephole_i"].item() == pytest.approx(dc * g * i * (1 - i) * C0, rel=1e-12)
    assert grads["weight_hh"][1] == pytest.approx(dc * C0 * f * (1 - f) * H0, rel=1e-12)  # f's row


def test_cifg_forget_gradient_by_hand():
    rows = tuple(r[1:] for r in LSTM_ROWS)  # rows f, g, o
    z_f, z_g, z_o = (wx * X + wh * H0 + b for wx, wh, b in zip(*rows))
    f, g, o = sig(z_f), np.tanh(z_g), sig(z_o)
    c = f * C0 + (1 - f) * g
    dc = o * (1 - np.tanh(c) ** 2)
    hs, grads, dxs, _ = run("cifg", one_unit(rows), [X], (np.array([[C0]]), np.array([[H0]])))
    assert hs.item() == pytest.approx(o * np.tanh(c), rel=1e-12)
    dz_f = dc * (C0 - g) * f * (1 - f)  # f lets C_{t-1} in and, as 1 − f, keeps C̃ out
    dz_g, dz_o = dc * (1 - f) * (1 - g**2), np.tanh(c) * o * (1 - o)
    assert grads["weight_ih"] == pytest.approx([dz_f * X, dz_g * X, dz_o * X], rel=1e-12)
    assert dxs.item() == pytest.approx(sum(w * d for w, d in zip(rows[0], (dz_f, dz_g, dz_o))), rel=1e-12)


def test_depth_gate_gradients_and_the_gradient_sent_below_by_hand():
    w_xd, w_cd, w_ld, b_d, c_below = 0.3, -0.8, 0.5, 0.2, 0.9
    params = one_unit(LSTM_ROWS, depth_weight_c=w_cd, depth_weight_l=w_ld, depth_bias=b_d)
    params["depth_weight_x"] = np.array([[w_xd]])
    z_i, z_f, z_g, z_o = lstm_gates(LSTM_ROWS)
    i, f, g, o = sig(z_i), sig(z_f), np.tanh(z_g), sig(z_o)
    d = sig(w_xd * X + w_cd * c_below + w_ld * C0 + b_d)
    c = d * c_below + f * C0 + i * g
    dc = o * (1 - np.tanh(c) ** 2)
    dz_d = dc * c_below * d * (1 - d)
    hs, grads, dxs, dlink = run("dglstm", params, [X], (np.array([[C0]]), np.array([[H0]])), below=c_below)
    assert hs.item() == pytest.approx(o * np.tanh(c), rel=1e-12)
    assert grads["depth_weight_c"].item() == pytest.approx(dz_d * c_below, rel=1e-12)
    assert grads["depth_weight_l"].item() == pytest.approx(dz_d * C0, rel=1e-12)
    assert grads["depth_weight_x"].item() == pytest.approx(dz_d * X, rel=1e-12)
    assert grads["depth_bias"].item() == pytest.approx(dz_d, rel=1e-12)
    assert dlink.item() == pytest.approx(dc * d + dz_d * w_cd, rel=1e-12)  # ∂h/∂C_0 of the layer below
    dx_gates = sum(
        w * dz
        for w, dz in zip(
            LSTM_ROWS[0], (dc * g * i * (1 - i), dc * C0 * f * (1 - f), dc * i * (1 - g**2), np.tanh(c) * o * (1 - o))
        )
    )
    assert dxs.item() == pytest.approx(dx_gates + w_xd * dz_d, rel=1e-12)


def test_gru_article_gradients_by_hand():
    rows = ([0.5, -0.3, 0.8], [0.2, 0.6, -0.5], [0.1, 0.9, -0.2])  # rows r, z, n
    (wr, wz, wn), (ur, uz, un), (br, bz, bn) = rows
    r, z = sig(wr * X + ur * H0 + br), sig(wz * X + uz * H0 + bz)
    n = np.tanh(wn * X + un * (r * H0) + bn)
    hs, grads, _, _ = run("gru", one_unit(rows), [X], (np.array([[H0]]),), {"gru_variant": "article"})
    assert hs.item() == pytest.approx((1 - z) * H0 + z * n, rel=1e-12)
    dz_n = z * (1 - n**2)
    assert grads["weight_hh"] == pytest.approx(
        [dz_n * un * H0 * r * (1 - r) * H0, (n - H0) * z * (1 - z) * H0, dz_n * r * H0], rel=1e-12
    )
    assert grads["bias_hh"] == pytest.approx(grads["bias_ih"], rel=1e-15)  # b_n adds outside r in this form


def test_an_idle_clockwork_module_passes_its_state_and_gradient_on_unchanged():
    """H = 2, periods 1 and 2: unit 1 ticks at even steps only. h_1[1] = h_0[1], so the
    gradient of h_1[1] is that of h_0[1] = tanh(W_1 · [h_{-1}, x_0] + b_1)."""
    periods = {"periods": [1, 2]}
    rng = np.random.default_rng(0)
    params = {
        "weight_ih": rng.normal(size=(2, 1)),
        "weight_hh": np.triu(rng.normal(size=(2, 2))),
        "bias_ih": rng.normal(size=2),
        "bias_hh": rng.normal(size=2),
    }
    h_start = np.array([[0.3, -0.5]])
    hs, grads, dxs, _ = run("cwrnn", params, [X, -X], (h_start, np.array([0])), periods, dhs=[[0, 0], [0, 1]])
    assert hs[1, 0, 1] == hs[0, 0, 1]
    slope = 1 - hs[0, 0, 1] ** 2
    assert grads["weight_ih"] == pytest.approx([0, slope * X], abs=1e-15)
    assert grads["weight_hh"] == pytest.approx([0, 0, 0, slope * h_start[0, 1]], abs=1e-15)  # unit 1 reads only itself
    assert dxs.ravel() == pytest.approx([slope * params["weight_ih"][1, 0], 0], abs=1e-15)

    # Started at an odd step, unit 1 is idle first: h_0[1] is the start state, a constant.
    hs, grads, dxs, _ = run("cwrnn", params, [X], (h_start, np.array([1])), periods, dhs=[[0, 1]])
    assert hs[0, 0, 1] == h_start[0, 1]
    assert all(not value.any() for value in grads.values()) and not dxs.any()
