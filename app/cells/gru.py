"""The GRU (Cho et al. 2014): one update gate z_t does the work of forget and input,
a reset gate r_t, and the cell state merged into h. Two formulations are in use:

"article" (the article's, Cho et al.'s; Keras with reset_after=False): reset before the product

    z_t  = σ(W_z · [h_{t-1}, x_t] + b_z)
    r_t  = σ(W_r · [h_{t-1}, x_t] + b_r)
    h̃_t  = tanh(W · [r_t * h_{t-1}, x_t] + b)
    h_t  = (1 − z_t) * h_{t-1} + z_t * h̃_t          z: how much of the new h̃ is written

"pytorch" (PyTorch's nn.GRU, cuDNN, Keras with reset_after=True): reset after the product,
and z the other way round

    h̃_t  = tanh(W_x · x_t + b_x + r_t * (W_h · h_{t-1} + b_h))   (nn.GRU's n_t)
    h_t  = (1 − z_t) * h̃_t + z_t * h_{t-1}          z: how much of the old h is kept

Both are reported as z, r and h̃. Weights follow nn.GRU: three gate blocks in the row
order r, z, n. The pytorch form adds b_hh to W_hh · h_{t-1}, as nn.GRU does (r multiplies
b_hn); the article's sums both biases into one b. The model file's top-level key
`gru_variant` says which form a model uses ("pytorch" when absent, as nn.GRU's layout suggests).

Backward, pytorch form, with dh = ∂L/∂h_t from above plus from step t+1 and
a = W_hn·h_{t-1} + b_hn:
    dz_n  = dh * (1 − z) * (1 − h̃²)            input side of n
    dz_z  = dh * (h_{t-1} − h̃) * z(1 − z)
    dz_r  = dz_n * a * r(1 − r)
    hidden side: the r and z rows get dz_r, dz_z; the n rows get dz_n * r
    dh_{t-1} = dh * z + W_hhᵀ · (hidden side)
Article form:
    dz_n  = dh * z * (1 − h̃²)
    dz_z  = dh * (h̃ − h_{t-1}) * z(1 − z)
    d(r * h_{t-1}) = W_hnᵀ · dz_n,       dz_r = d(r * h_{t-1}) * h_{t-1} * r(1 − r)
    dh_{t-1} = dh * (1 − z) + d(r * h_{t-1}) * r + W_hr,hzᵀ · [dz_r, dz_z]
    dW_hn = Σ_t dz_n (r * h_{t-1})ᵀ; the r and z rows of W_hh as the pytorch form's
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import numpy as np
from numpy.typing import DTypeLike

from app.cells.activations import sigmoid
from app.cells.base import Cell, Fix, InvalidOption, Jacobians, StepRecord, Tape, keep
from app.cells.equations import Figure, Note, Stage, W, b, cat, sigma, tanh, v
from app.cells.gradients import both_biases, f64, hidden_side_grads, input_side_grads, scale_rows
from app.cells.rnn import HiddenState, zero_hidden_state
from app.cells.sums import LayerSum, Part, row_parts
from app.cells.weights import DTYPE, Weights, blocks, layer_arrays

UPDATE_MEANING = {
    "article": "z is how much of the new candidate h̃ is written: h_t = (1 − z) * h_{t-1} + z * h̃_t",
    "pytorch": "z is how much of the old h_{t-1} is kept: h_t = (1 − z) * h̃_t + z * h_{t-1} (PyTorch, Keras)",
}
VARIANT_KEY = "gru_variant"
DEFAULT_VARIANT = "pytorch"
GATE_ROWS = ("r", "z", "n")  # nn.GRU's row blocks (n: the candidate h̃)


@dataclass(frozen=True)
class GRUParams(Weights):
    """nn.GRU's rows r, z, n. `bias` is what the input projection adds: b_ih in the pytorch
    form, where b_hh joins W_hh · h_{t-1} (r multiplies its n part), and b_ih + b_hh in
    the article's."""

    bias_hh: np.ndarray | None = None  # (3H,)  the pytorch form's b_hh
    variant: str = DEFAULT_VARIANT

    @cached_property
    def weight_hh_rz_t(self) -> np.ndarray:
        """(H, 2H): the r and z rows of W_hh, transposed once (the article's form)."""
        return np.ascontiguousarray(self.weight_hh[: 2 * self.hidden_size].T)

    @cached_property
    def weight_hh_n_t(self) -> np.ndarray:
        """(H, H): the n rows of W_hh, transposed once (the article's form)."""
        return np.ascontiguousarray(self.weight_hh[2 * self.hidden_size :].T)


@dataclass(frozen=True)
class GRUStep(StepRecord):
    GATES: ClassVar[tuple[str, ...]] = ("z", "r", "h_tilde")
    STATES: ClassVar[tuple[str, ...]] = ("h",)

    z: np.ndarray  # (H,)
    r: np.ndarray  # (H,)
    h_tilde: np.ndarray  # (H,)  h̃_t, the candidate (PyTorch's n_t)
    h: np.ndarray  # (H,)
    hidden_n: np.ndarray | None = None  # (H,)  W_hn · h_{t-1} + b_hn, which r multiplies (pytorch form)

    def state(self) -> HiddenState:
        return HiddenState(self.h)


def step_projected(params: GRUParams, state: HiddenState, zx: np.ndarray, fix: Fix = keep) -> GRUStep:
    x_r, x_z, x_n = blocks(zx, 3)  # W_i· · x_t + b_·, rows r, z, n
    h_prev = state.h
    if params.variant == "article":
        hidden_rz = np.dot(h_prev, params.weight_hh_rz_t)  # (…, 2H)  W_hr,hz · h_{t-1}
        r = fix("r", sigmoid(x_r + hidden_rz[..., : params.hidden_size]))
        z = fix("z", sigmoid(x_z + hidden_rz[..., params.hidden_size :]))
        h_tilde = fix("h_tilde", np.tanh(x_n + np.dot(r * h_prev, params.weight_hh_n_t)))  # reset before the product
        h = (1 - z) * h_prev + z * h_tilde
        return GRUStep(z=z, r=r, h_tilde=h_tilde, h=fix("h", h))
    hidden_r, hidden_z, hidden_n = blocks(np.dot(h_prev, params.weight_hh_t) + params.bias_hh, 3)
    r = fix("r", sigmoid(x_r + hidden_r))
    z = fix("z", sigmoid(x_z + hidden_z))
    h_tilde = fix("h_tilde", np.tanh(x_n + r * hidden_n))  # reset after the product
    h = (1 - z) * h_tilde + z * h_prev
    return GRUStep(z=z, r=r, h_tilde=h_tilde, h=fix("h", h), hidden_n=hidden_n)


def backward(params: GRUParams, tape: Tape, dhs: np.ndarray, need_dxs: bool = True, dlink=None):
    if params.variant == "article":
        return backward_article(params, tape, dhs, need_dxs)
    weight_hh = params.weight_hh  # (3H, H)
    hidden = params.hidden_size
    dzx = np.empty(dhs.shape[:-1] + (3 * hidden,), dhs.dtype)  # (T, B, 3H)  input side
    dzh = np.empty_like(dzx)  # (T, B, 3H)  hidden side
    dh_next = np.zeros_like(dhs[0])
    for t in reversed(range(len(dhs))):
        record = tape.records[t]
        r, z, n = record.r, record.z, record.h_tilde
        h_prev = tape.before(t).h
        dh = dhs[t] + dh_next
        dz_n = dh * (1.0 - z) * (1.0 - n * n)
        dz_z = dh * (h_prev - n) * z * (1.0 - z)
        dz_r = dz_n * record.hidden_n * r * (1.0 - r)
        dzx[t, :, :hidden] = dzh[t, :, :hidden] = dz_r
        dzx[t, :, hidden : 2 * hidden] = dzh[t, :, hidden : 2 * hidden] = dz_z
        dzx[t, :, 2 * hidden :] = dz_n
        dzh[t, :, 2 * hidden :] = dz_n * r
        dh_next = dh * z + dzh[t] @ weight_hh
    d_weight_ih, d_bias_ih, dxs = input_side_grads(dzx, tape.xs, params.weight_ih, need_dxs)
    d_weight_hh, d_bias_hh = hidden_side_grads(dzh, tape.stack_before("h"))
    grads = {"weight_ih": d_weight_ih, "weight_hh": d_weight_hh, "bias_ih": d_bias_ih, "bias_hh": d_bias_hh}
    return grads, dxs, None


def backward_article(params: GRUParams, tape: Tape, dhs: np.ndarray, need_dxs: bool = True):
    hidden = params.hidden_size
    w_rz, w_n = params.weight_hh[: 2 * hidden], params.weight_hh[2 * hidden :]
    dz = np.empty(dhs.shape[:-1] + (3 * hidden,), dhs.dtype)  # (T, B, 3H)  every gate's pre-activation
    dh_next = np.zeros_like(dhs[0])
    for t in reversed(range(len(dhs))):
        record = tape.records[t]
        r, z, n = record.r, record.z, record.h_tilde
        h_prev = tape.before(t).h
        dh = dhs[t] + dh_next
        dz[t, :, 2 * hidden :] = dz_n = dh * z * (1.0 - n * n)
        dz[t, :, hidden : 2 * hidden] = dh * (n - h_prev) * z * (1.0 - z)
        d_reset_h = dz_n @ w_n  # ∂L/∂(r * h_{t-1})
        dz[t, :, :hidden] = d_reset_h * h_prev * r * (1.0 - r)
        dh_next = dh * (1.0 - z) + d_reset_h * r + dz[t, :, : 2 * hidden] @ w_rz
    d_weight_ih, d_bias, dxs = input_side_grads(dz, tape.xs, params.weight_ih, need_dxs)
    h_prev = tape.stack_before("h")
    d_weight_rz, _ = hidden_side_grads(dz[:, :, : 2 * hidden], h_prev)
    d_weight_n, _ = hidden_side_grads(dz[:, :, 2 * hidden :], tape.stack("r") * h_prev)  # reads r * h_{t-1}
    grads = {"weight_ih": d_weight_ih, "weight_hh": np.concatenate([d_weight_rz, d_weight_n]), **both_biases(d_bias)}
    return grads, dxs, None


def jacobian(params: GRUParams, prev: dict, record: GRUStep, below=None) -> Jacobians:
    h_prev = f64(prev["h"])
    z, r, n = (f64(getattr(record, name)) for name in ("z", "r", "h_tilde"))
    w_hr, w_hz, w_hn = np.split(f64(params.weight_hh), 3)  # rows r, z, n
    w_xr, w_xz, w_xn = np.split(f64(params.weight_ih), 3)
    dr_dh, dr_dx = scale_rows(w_hr, r * (1 - r)), scale_rows(w_xr, r * (1 - r))
    dz_dh, dz_dx = scale_rows(w_hz, z * (1 - z)), scale_rows(w_xz, z * (1 - z))
    slope = 1 - n**2
    if params.variant == "article":
        # n = tanh(W_xn x + W_hn (r * h_prev) + b);  h = (1 − z) h_prev + z n
        dn_dh = scale_rows(w_hn * r[None, :] + w_hn @ np.diag(h_prev) @ dr_dh, slope)
        dn_dx = scale_rows(w_xn + w_hn @ np.diag(h_prev) @ dr_dx, slope)
        j_s = np.diag(1 - z) + scale_rows(dz_dh, n - h_prev) + scale_rows(dn_dh, z)
        j_x = scale_rows(dz_dx, n - h_prev) + scale_rows(dn_dx, z)
    else:
        # n = tanh(W_xn x + b_in + r * (W_hn h_prev + b_hn));  h = (1 − z) n + z h_prev
        assert params.bias_hh is not None  # the pytorch form keeps b_hh apart
        hidden_n = w_hn @ h_prev + f64(params.bias_hh[2 * params.hidden_size :])
        dn_dh = scale_rows(scale_rows(w_hn, r) + scale_rows(dr_dh, hidden_n), slope)
        dn_dx = scale_rows(w_xn + scale_rows(dr_dx, hidden_n), slope)
        j_s = np.diag(z) + scale_rows(dz_dh, h_prev - n) + scale_rows(dn_dh, 1 - z)
        j_x = scale_rows(dz_dx, h_prev - n) + scale_rows(dn_dx, 1 - z)
    return j_s, j_x


def layer_sums(params: GRUParams, prev: dict, record: GRUStep, x: np.ndarray, below, unit: int) -> list[LayerSum]:
    """z, r and the candidate h̃ for `unit`, in the model's form: the article's h̃ reads
    [r_t * h_{t-1}, x_t]; PyTorch's reads x_t and r_t * (W_h · h_{t-1} + b_h), whose inner
    sum is a box of its own on the diagram, the linear W_h."""
    hidden, h_prev = params.hidden_size, prev["h"]
    row = {block: k * hidden + unit for k, block in enumerate(GATE_ROWS)}
    pytorch = params.variant == "pytorch"
    # r and z add b_ih + b_hh alike in the pytorch form
    gate_bias = params.bias + params.bias_hh if pytorch and params.bias_hh is not None else params.bias
    sums = [
        LayerSum(
            box,
            block,
            "sigmoid",
            row_parts(params, row[block], h_prev, x),
            float(gate_bias[row[block]]),
            float(getattr(record, block)[unit]),
        )
        for block, box in (("z", "update"), ("r", "reset"))
    ]
    n = row["n"]
    x_part = Part("x", x, params.weight_ih[n])
    value = float(record.h_tilde[unit])
    if not pytorch:  # reset before the product
        parts = (Part("r_h_prev", record.r * h_prev, params.weight_hh[n]), x_part)
        return [*sums, LayerSum("candidate", "h_tilde", "tanh", parts, float(params.bias[n]), value)]
    assert params.bias_hh is not None and record.hidden_n is not None  # the pytorch form keeps both
    b_hn = float(params.bias_hh[n])
    reset_part = Part("h_prev", h_prev, params.weight_hh[n], scaled_by="r", scale=float(record.r[unit]), bias=b_hn)
    candidate = LayerSum("candidate", "h_tilde", "tanh", (x_part, reset_part), float(params.bias[n]), value)
    w_h = LayerSum(
        "w-h", None, "linear", (Part("h_prev", h_prev, params.weight_hh[n]),), b_hn, float(record.hidden_n[unit])
    )
    return [*sums, candidate, w_h]


def check_variant(options: Mapping) -> str:
    variant = options.get(VARIANT_KEY, DEFAULT_VARIANT)
    if variant not in UPDATE_MEANING:
        raise InvalidOption(f"{VARIANT_KEY!r} is {variant!r}; expected one of {', '.join(UPDATE_MEANING)}")
    return variant


def options_with_defaults(given: Mapping, hidden: int) -> dict:
    if set(given) - {VARIANT_KEY}:
        raise InvalidOption(f"a gru takes only {VARIANT_KEY!r}; got {', '.join(given)}")
    return {VARIANT_KEY: check_variant(given)}


def read_options(arrays: Mapping[str, np.ndarray], hidden: int) -> dict:
    if VARIANT_KEY not in arrays:
        return {VARIANT_KEY: DEFAULT_VARIANT}
    value = arrays[VARIANT_KEY]
    if value.shape != () or value.dtype.kind != "U":
        raise InvalidOption(f"{VARIANT_KEY!r} must be a single string, 'article' or 'pytorch'")
    return {VARIANT_KEY: check_variant({VARIANT_KEY: str(value[()])})}


def params_from_arrays(
    arrays: Mapping[str, np.ndarray], layer: int, options: Mapping, dtype: DTypeLike = DTYPE
) -> GRUParams:
    weight_ih, weight_hh, b_ih, b_hh = layer_arrays(arrays, layer, dtype)
    if check_variant(options) == "article":
        return GRUParams(weight_ih, weight_hh, b_ih + b_hh, None, "article")
    return GRUParams(weight_ih, weight_hh, b_ih, b_hh, "pytorch")


def params_to_arrays(params: GRUParams, layer: int) -> dict[str, np.ndarray]:
    """The arrays of a model file. The r and z blocks' two biases are stored summed, in
    bias_ih (only their sum acts); the pytorch form keeps b_hn apart, in bias_hh."""
    k = f"l{layer}"
    bias_ih, bias_hh = params.bias, np.zeros_like(params.bias)
    if params.bias_hh is not None:
        rz = 2 * params.hidden_size
        bias_ih = np.concatenate([params.bias[:rz] + params.bias_hh[:rz], params.bias[rz:]])
        bias_hh[rz:] = params.bias_hh[rz:]
    return {
        f"weight_ih_{k}": params.weight_ih,
        f"weight_hh_{k}": params.weight_hh,
        f"bias_ih_{k}": bias_ih,
        f"bias_hh_{k}": bias_hh,
    }


def options(params: GRUParams) -> dict:
    return {VARIANT_KEY: params.variant, "update_meaning": UPDATE_MEANING[params.variant]}


def options_to_arrays(options: Mapping) -> dict[str, np.ndarray]:
    return {VARIANT_KEY: np.array(check_variant(options))}


# --- the walk-through: the article's four GRU equations, in either form -----------------

HX = cat(v("h_prev"), v("x"))  # [h_{t-1}, x_t]


def stages(variant: str) -> tuple[Stage, ...]:
    article = variant == "article"
    way = "article" if article else "pytorch"
    update = Stage(
        key="gru_update",
        parts=("update_gate",),
        vectors=("z", "x", "h_prev"),
        equations=(v("z") == sigma(W("z") @ HX + b("z")),),
        story=(
            (("z", ">", 0.9), f"story_z_high_{way}"),
            (("z", "<", 0.1), f"story_z_low_{way}"),
            (None, f"story_z_mid_{way}"),
        ),
        notes=(f"note_z_{way}",),
    )
    reset = Stage(
        key="gru_reset",
        parts=("reset",),
        vectors=("r", "x", "h_prev", *(("r_h",) if article else ())),
        equations=(v("r") == sigma(W("r") @ HX + b("r")),),
        story=((("r", "<", 0.1), "story_r_low"), (None, "story_r_open")),
    )
    mixed = ("one_minus_z_h_prev", "z_h_tilde") if article else ("z_h_prev", "one_minus_z_h_tilde")  # its two products
    if article:
        candidate_equation = v("h_tilde") == tanh(W() @ cat(v("r") * v("h_prev"), v("x")) + b())
        mix = (1 - v("z")) * v("h_prev") + v("z") * v("h_tilde")
    else:
        candidate_equation = v("h_tilde") == tanh(W("x") @ v("x") + b("x") + v("r") * (W("h") @ v("h_prev") + b("h")))
        mix = (1 - v("z")) * v("h_tilde") + v("z") * v("h_prev")
    candidate = Stage(
        key="gru_candidate",
        parts=("reset", "candidate"),
        vectors=("r", *(("r_h",) if article else ()), "h_tilde", "x"),
        equations=(candidate_equation,),
        story=((None, "story_candidate"),),
        notes=() if article else ("note_reset_after",),
    )
    output = Stage(
        key="gru_output",
        parts=("belt", "update_gate", "mix"),
        vectors=("z", "h_prev", "h_tilde", "h", *mixed),
        equations=(v("h") == mix,),
        story=((None, f"story_gru_output_{way}"),),
        notes=(f"note_z_{way}",),
    )
    return (update, reset, candidate, output)


def figures(options: Mapping) -> tuple[Figure, ...]:
    variant = check_variant(options)
    parts = (
        "belt",
        "reset",
        "update_gate",
        "candidate",
        "mix",
        "reset_before" if variant == "article" else "reset_after",
    )
    label = f"diagram_gru_{variant}"
    note: Note = (f"note_gru_{variant}", {})
    return (Figure(family="gru", label=label, parts=parts, stages=stages(variant), notes=(note,)),)


GRU = Cell(
    name="gru",
    title="GRU",
    record=GRUStep,
    gate_rows=GATE_ROWS,
    zero_state=zero_hidden_state,
    step_projected=step_projected,
    backward=backward,
    jacobian=jacobian,
    figures=figures,
    params_from_arrays=params_from_arrays,
    params_to_arrays=params_to_arrays,
    read_options=read_options,
    options=options,
    options_to_arrays=options_to_arrays,
    check_options=options_with_defaults,
    layer_sums=layer_sums,
)
