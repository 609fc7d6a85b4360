"""The LSTM of Olah's article (Hochreiter & Schmidhuber 1997, with a forget gate).

Notation is the article's; [h_{t-1}, x_t] is the concatenation of the previous
output and the input, and * is the pointwise product:

    f_t  = σ(W_f · [h_{t-1}, x_t] + b_f)          forget gate: what to drop from C_{t-1}
    i_t  = σ(W_i · [h_{t-1}, x_t] + b_i)          input gate: which values to update
    C̃_t  = tanh(W_C · [h_{t-1}, x_t] + b_C)       candidate values
    C_t  = f_t * C_{t-1} + i_t * C̃_t              the cell state, the conveyor belt
    o_t  = σ(W_o · [h_{t-1}, x_t] + b_o)          output gate
    h_t  = o_t * tanh(C_t)                        the output

Weights follow PyTorch's nn.LSTM, so imported models need no reshuffling: each W_·
is split into its h-part and its x-part, W_· · [h, x] = W_hh,· · h + W_ih,· · x, and the
four gates are stacked as rows in the order i, f, g (= C̃), o. PyTorch's two biases
add up to the article's one: b = b_ih + b_hh (app/cells/weights.py).

Arithmetic is float32, the precision PyTorch trains and stores these weights in:
traces then agree with PyTorch to float32 rounding, and the frames the app streams
(rounded to 1e-5) carry no more digits than that anyway.

Backward (training), step t from the last to the first, with dh = ∂L/∂h_t (from above
plus from step t+1) and dC_t arriving from step t+1, z_· the gates' pre-activations:
    dC_t     += dh * o * (1 − tanh²(C_t))
    dz_o      = dh * tanh(C_t) * o(1 − o)
    dz_i      = dC_t * C̃ * i(1 − i)
    dz_f      = dC_t * C_{t-1} * f(1 − f)
    dz_g      = dC_t * i * (1 − C̃²)
    dC_{t-1}  = dC_t * f
    dh_{t-1}  = W_hhᵀ · dz
then over all steps at once: dW_hh = Σ_t dz_t h_{t-1}ᵀ, dW_ih = Σ_t dz_t x_tᵀ,
db_ih = db_hh = Σ_t dz_t, dx_t = W_ihᵀ · dz_t.

One-step Jacobians (the gradient-flow view), with W_h·, W_x· the h- and x-parts of each W_·:
    ∂C_t/∂C_{t-1} = diag(f)
    ∂C_t/∂h_{t-1} = diag(C_{t-1} σ'_f) W_hf + diag(C̃ σ'_i) W_hi + diag(i tanh'_C̃) W_hC
    ∂h_t/∂·       = diag(tanh(C_t) σ'_o) ∂z_o/∂·  +  diag(o (1 − tanh²C_t)) ∂C_t/∂·

The article's variants (peephole.py, cifg.py, dglstm.py) are this cell with extra terms;
the backward pass, the Jacobians and the walk-through's stages below take those terms as
arguments, which each variant's module passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar, NamedTuple

import numpy as np
from numpy.typing import DTypeLike

from app.cells.activations import sigmoid
from app.cells.base import Cell, Fix, Jacobians, StepRecord, Tape, keep, zeros
from app.cells.equations import Equation, Figure, Note, Stage, Term, W, b, cat, sigma, tanh, v, weight
from app.cells.gradients import (
    both_biases,
    f64,
    hidden_side_grads,
    input_side_grads,
    per_unit_grad,
    scale_rows,
)
from app.cells.sums import LayerSum, gate_sums, one_entry
from app.cells.weights import (
    DTYPE,
    Weights,
    blocks,
    preactivation,
    project_inputs,
    weights_from_arrays,
)

if TYPE_CHECKING:  # dglstm builds on this module
    from app.cells.dglstm import DepthGate

LSTMParams = Weights  # one layer: gate rows i, f, g, o of 4H each
params_from_arrays = weights_from_arrays
input_projection = project_inputs


class LSTMState(NamedTuple):
    c: np.ndarray  # (H,) or (B, H)  C_{t-1}, the belt
    h: np.ndarray  # (H,) or (B, H)  h_{t-1}


@dataclass(frozen=True)
class LSTMStep(StepRecord):
    """Every vector the article's diagram draws for one step."""

    GATES: ClassVar[tuple[str, ...]] = ("f", "i", "c_tilde", "o")
    STATES: ClassVar[tuple[str, ...]] = ("c", "h")

    f: np.ndarray  # (H,)
    i: np.ndarray  # (H,)
    c_tilde: np.ndarray  # (H,)
    o: np.ndarray  # (H,)
    c: np.ndarray  # (H,)  C_t
    h: np.ndarray  # (H,)  h_t

    def state(self) -> LSTMState:
        return LSTMState(self.c, self.h)


def zero_state(hidden_size: int, dtype: DTypeLike = DTYPE, batch: int | None = None) -> LSTMState:
    return LSTMState(*zeros(2)(hidden_size, dtype, batch))


GATE_ROWS = ("i", "f", "g", "o")  # nn.LSTM's gate blocks, in the order of W's rows (g: C̃)


def preactivations(params: Weights, h_prev: np.ndarray, zx: np.ndarray) -> list[np.ndarray]:
    """W_· · [h_{t-1}, x_t] + b_· for the gates, in the row order GATE_ROWS."""
    return blocks(preactivation(params, h_prev, zx), len(GATE_ROWS))  # 4 × (H,) or (B, H)


def gates(params: Weights, h_prev: np.ndarray, zx: np.ndarray) -> tuple[np.ndarray, ...]:
    """f_t, i_t, C̃_t, o_t: the four learned layers, each reading [h_{t-1}, x_t]. One σ over
    all four blocks (pointwise, so each block's values are its own σ) and tanh for C̃:
    two NumPy calls where four would do the same, which a batch's training loop feels."""
    z = preactivation(params, h_prev, zx)  # (…, 4H)  rows i, f, g, o
    a_i, a_f, _, a_o = blocks(sigmoid(z), len(GATE_ROWS))
    return a_f, a_i, np.tanh(blocks(z, len(GATE_ROWS))[2]), a_o


def step_projected(params: Weights, state: LSTMState, zx: np.ndarray, fix: Fix = keep) -> LSTMStep:
    """One step, given zx = W_ih · x_t + b from input_projection; on (H,) vectors or a batch (B, H)."""
    f, i, c_tilde, o = gates(params, state.h, zx)
    if fix is not keep:  # a what-if: each vector passes through it before it is used
        f, i, c_tilde, o = (fix(name, v) for name, v in zip(("f", "i", "c_tilde", "o"), (f, i, c_tilde, o)))
    c = fix("c", f * state.c + i * c_tilde)
    h = fix("h", o * np.tanh(c))
    return LSTMStep(f=f, i=i, c_tilde=c_tilde, o=o, c=c, h=h)


SIGMOID_HALVES = (0.5, 0.5, 1.0, 0.5)  # s on the gate blocks i, f, g, o: ½ where σ(z) = ½ + ½·tanh(½z)


def trace_unfixed(params: Weights, state: LSTMState, zx: np.ndarray) -> list[StepRecord]:
    """step_projected over every row of zx (T, 4H) with no what-if fixes, in a tight loop:
    the same arithmetic, so the records are bit for bit the same. zx is the trace's own
    and is overwritten.

    The four gates share one tanh per step, since σ(z) = ½ + ½·tanh(½z) (the sigmoid of
    activations.py): with a = tanh(s ⊙ z), where s is ½ on the rows of i, f, o and 1 on
    those of g, the gates are ½a + ½ and C̃ is a itself. s is applied once to W_hh and to
    zx, not at every step: s ⊙ (W_hh·h + zx) = (s ⊙ W_hh)·h + s ⊙ zx exactly, because
    scaling by ½ or 1 is exact in binary floating point. W_hh is read in the transposed
    layout every step uses (Weights.weight_hh_t), so the sums run in the same order.

    Nine NumPy calls a step, each writing into preallocated (T, ·) arrays that the records
    are views of. Row t of `rows` is [C_{t-1} | i f g o]: the matrix product writes the
    gates in place, and one product of [f, g] with [C_{t-1}, i] gives f * C_{t-1} and
    C̃ * i, which add up to C_t, written straight into row t + 1."""
    steps, hidden = zx.shape[0], params.hidden_size
    dtype = zx.dtype
    scale = params.row_scale(SIGMOID_HALVES).astype(dtype)  # s
    offset = np.where(scale == 0.5, scale, 0).astype(dtype)  # ½ on the σ rows, 0 on g's
    weight_hh_t = params.weight_hh_t_scaled(SIGMOID_HALVES)  # (H, 4H): (s ⊙ W_hh)ᵀ, made once per layer
    zx = np.multiply(zx, scale, zx)  # (T, 4H) s ⊙ zx, in the trace's own array
    rows = np.empty((steps + 1, 5 * hidden), dtype)  # [C_{t-1} | i f g o]; row T holds only C_T
    rows[0, :hidden] = state.c
    hs = np.empty((steps, hidden), dtype)
    products = np.empty(2 * hidden, dtype)  # [f * C_{t-1}, C̃ * i]
    forget_part, input_part = products[:hidden], products[hidden:]
    tanh_c = np.empty(hidden, dtype)
    acts = rows[:-1, hidden:]  # (T, 4H) rows i, f, g, o
    c_prev_and_i, f_and_g = rows[:-1, : 2 * hidden], rows[:-1, 2 * hidden : 4 * hidden]
    i_, f_, g_, o_ = (acts[:, k * hidden : (k + 1) * hidden] for k in range(4))  # (T, H) views
    cs = rows[1:, :hidden]  # C_t
    dot, add, multiply, tanh = np.dot, np.add, np.multiply, np.tanh
    h = state.h
    # Outputs are passed by position: each call is ~1 µs of NumPy overhead at H = 128, and
    # parsing an out= keyword adds a tenth to that.
    for a, zx_t, ci, fg, o, c, h_t in zip(acts, zx, c_prev_and_i, f_and_g, o_, cs, hs):
        dot(h, weight_hh_t, a)  # s ⊙ W_hh · h_{t-1}   (4H,)
        add(a, zx_t, a)  # s ⊙ (W · [h_{t-1}, x_t] + b)
        tanh(a, a)
        multiply(a, scale, a)
        add(a, offset, a)  # σ(z) on the rows of i, f, o; tanh(z) on g's
        multiply(fg, ci, products)  # f_t * C_{t-1}, C̃_t * i_t
        add(forget_part, input_part, c)  # C_t
        tanh(c, tanh_c)
        h = multiply(o, tanh_c, h_t)  # h_t = o_t * tanh(C_t)
    return list(map(LSTMStep, f_, i_, g_, o_, cs, hs))


def step(params: Weights, state: LSTMState, x: np.ndarray) -> LSTMStep:
    """One step from a raw input vector x_t (X,)."""
    return step_projected(params, state, input_projection(params, x[None, :])[0])


# --- training: backpropagation through time -------------------------------------------


@dataclass(frozen=True)
class DepthTerms:
    """What a depth gate (dglstm.py) adds to the passes: its weights, its values d and the
    cell state below that it lets in, C_t^{L-1}: over a window (T, B, H) each for the
    backward pass, at one step (H,) each for the Jacobian."""

    gate: DepthGate
    ds: np.ndarray
    c_below: np.ndarray


def backward(
    params: Weights,
    tape: Tape,
    dhs: np.ndarray,
    need_dxs: bool = True,
    dlink: np.ndarray | None = None,
    *,
    rows: tuple[str, ...] = GATE_ROWS,
    peepholes: Mapping[str, np.ndarray] | None = None,
    depth: DepthTerms | None = None,
):
    """The LSTM's backward pass above, with a variant's extra terms where it passes them:
    the coupled gate by its `rows` (no "i": i = 1 − f), peepholes p_· (peephole.py), a
    depth gate (dglstm.py). `dlink` (T, B, H) is ∂L/∂C_t through the depth gate of the
    layer above; the returned dlink is ∂L/∂C_t of the layer below (or None)."""
    weight_hh = params.weight_hh  # (G·H, H)
    hidden = weight_hh.shape[1]
    at = {name: slice(k * hidden, (k + 1) * hidden) for k, name in enumerate(rows)}
    coupled = "i" not in at
    p_f, p_i, p_o = ((peepholes or {}).get(gate) for gate in "fio")
    dz = np.empty(dhs.shape[:-1] + (len(rows) * hidden,), dhs.dtype)  # (T, B, G·H)
    dzd: np.ndarray | None = None
    dlink_below: np.ndarray | None = None
    if depth is not None:
        dzd, dlink_below = np.empty_like(depth.ds), np.empty_like(depth.ds)  # (T, B, H): d's pre-activation, C below
    dh_next = np.zeros_like(dhs[0])  # ∂L/∂h_t through step t+1
    dc_next = np.zeros_like(dhs[0])  # ∂L/∂C_t through step t+1
    tanh_cs = np.tanh(tape.stack("c"))  # (T, B, H)  tanh(C_t), what h read
    for t in reversed(range(len(dhs))):
        record, dz_t = tape.records[t], dz[t]
        f, i, c_tilde, o = record.f, record.i, record.c_tilde, record.o
        c_prev, tanh_c = tape.before(t).c, tanh_cs[t]
        dh = dhs[t] + dh_next
        dc = dc_next + dh * o * (1.0 - tanh_c * tanh_c)
        if dlink is not None:
            dc += dlink[t]
        dz_t[:, at["o"]] = dz_o = dh * tanh_c * o * (1.0 - o)
        if p_o is not None:  # o reads the new C_t
            dc += dz_o * p_o
        dz_t[:, at["g"]] = dc * i * (1.0 - c_tilde * c_tilde)
        if coupled:  # i = 1 − f: f reaches C_t twice, dC_t/df = C_{t-1} − C̃
            dz_t[:, at["f"]] = dc * (c_prev - c_tilde) * f * (1.0 - f)
        else:
            dz_t[:, at["i"]] = dc * c_tilde * i * (1.0 - i)
            dz_t[:, at["f"]] = dc * c_prev * f * (1.0 - f)
        dc_next = dc * f
        if p_f is not None:
            dc_next += dz_t[:, at["f"]] * p_f
        if p_i is not None:
            dc_next += dz_t[:, at["i"]] * p_i
        if depth is not None:
            assert dzd is not None and dlink_below is not None  # made above with depth
            d = depth.ds[t]
            dzd[t] = dc * depth.c_below[t] * d * (1.0 - d)
            dlink_below[t] = dc * d + dzd[t] * depth.gate.weight_c  # ∂L/∂C_t of the layer below
            dc_next += dzd[t] * depth.gate.weight_l
        dh_next = dz_t @ weight_hh  # (B, H)
    d_weight_ih, d_bias, dxs = input_side_grads(dz, tape.xs, params.weight_ih, need_dxs)
    d_weight_hh, _ = hidden_side_grads(dz, tape.stack_before("h"))
    grads = {"weight_ih": d_weight_ih, "weight_hh": d_weight_hh, **both_biases(d_bias)}
    if p_f is not None or p_i is not None or p_o is not None:
        seen = {"f": tape.stack_before("c"), "i": tape.stack_before("c"), "o": tape.stack("c")}  # the C each reads
        for gate, p in zip("fio", (p_f, p_i, p_o)):
            if p is not None:
                grads[f"peephole_{gate}"] = per_unit_grad(dz[:, :, at[gate]], seen[gate])
    if depth is not None:
        assert dzd is not None
        d_weight_x, grads["depth_bias"], dxs_depth = input_side_grads(dzd, tape.xs, depth.gate.weight_x, need_dxs)
        grads["depth_weight_x"] = d_weight_x
        grads["depth_weight_c"] = per_unit_grad(dzd, depth.c_below)
        grads["depth_weight_l"] = per_unit_grad(dzd, tape.stack_before("c"))
        if need_dxs:
            dxs += dxs_depth
    return grads, dxs, dlink_below


# --- the gradient-flow view: one-step Jacobians ----------------------------------------


def jacobian(
    params: Weights,
    prev: dict,
    record: LSTMStep,
    below: LSTMStep | None = None,
    *,
    rows: tuple[str, ...] = GATE_ROWS,
    peepholes: Mapping[str, np.ndarray] | None = None,
    depth: DepthTerms | None = None,
) -> Jacobians:
    """∂s_t/∂s_{t-1} and ∂s_t/∂x_t for s = [C, h], and a variant's extra terms: peepholes
    (p_f, p_i on C_{t-1} and p_o on C_t: ∂C_t/∂C_{t-1} gains σ'_f C_{t-1} p_f + σ'_i C̃ p_i,
    and z_o gains p_o ∂C_t/∂·), the coupled gate (i = 1 − f, so ∂C_t/∂z_f = (C_{t-1} − C̃) σ'_f)
    and a depth gate (d reads x and C_{t-1}: ∂C_t/∂C_{t-1} gains C_t^{L-1} σ'_d w_ld and
    ∂C_t/∂x gains diag(C_t^{L-1} σ'_d) W_xd; the cell below, `depth`.c_below, is held fixed)."""
    c_prev = f64(prev["c"])
    f, g, o, c = (f64(getattr(record, n)) for n in ("f", "c_tilde", "o", "c"))
    coupled = "i" not in rows
    i = 1 - f if coupled else f64(record.i)
    blocks_h = dict(zip(rows, np.split(f64(params.weight_hh), len(rows))))
    blocks_x = dict(zip(rows, np.split(f64(params.weight_ih), len(rows))))
    no_peephole = np.zeros_like(f)
    p_f, p_i, p_o = (f64((peepholes or {}).get(gate, no_peephole)) for gate in "fio")
    dc_dzf = (c_prev - g if coupled else c_prev) * f * (1 - f)  # ∂C_t/∂z_f, diagonal
    dc_dzi = no_peephole if coupled else g * i * (1 - i)
    dc_dzg = i * (1 - g**2)

    def d_cell(blocks):  # ∂C_t through the gates' pre-activations
        rows_i = 0 if coupled else scale_rows(blocks["i"], dc_dzi)
        return scale_rows(blocks["f"], dc_dzf) + rows_i + scale_rows(blocks["g"], dc_dzg)

    dc_dh, dc_dx = d_cell(blocks_h), d_cell(blocks_x)
    dc_dc = f + dc_dzf * p_f + dc_dzi * p_i
    if depth is not None:
        d = f64(depth.ds)
        dc_dzd = f64(depth.c_below) * d * (1 - d)
        dc_dc = dc_dc + dc_dzd * depth.gate.weight_l
        dc_dx = dc_dx + scale_rows(f64(depth.gate.weight_x), dc_dzd)
    dc_dc = np.diag(dc_dc)

    tanh_c = np.tanh(c)
    dh_dc = o * (1 - tanh_c**2)  # ∂h_t/∂C_t (diagonal)

    def d_output(w_o, dc):  # ∂h_t = σ'_o tanh(C_t) ∂z_o + o tanh'(C_t) ∂C_t, with z_o = W_o·[h, x] + p_o * C_t
        return scale_rows(w_o + scale_rows(dc, p_o), tanh_c * o * (1 - o)) + scale_rows(dc, dh_dc)

    j_s = np.block([[dc_dc, dc_dh], [d_output(0, dc_dc), d_output(blocks_h["o"], dc_dh)]])  # (2H, 2H)
    j_x = np.vstack([dc_dx, d_output(blocks_x["o"], dc_dx)])  # (2H, X)
    return j_s, j_x


# --- the yellow boxes, opened (sums.py) -------------------------------------------------

# Each gate block's box on the diagram, the record's vector it outputs, its activation.
BOXES = {
    "i": ("input", "i", "sigmoid"),
    "f": ("forget", "f", "sigmoid"),
    "g": ("candidate", "c_tilde", "tanh"),
    "o": ("output", "o", "sigmoid"),
}


def layer_sums(
    params: Weights,
    prev: dict,
    record: LSTMStep,
    x: np.ndarray,
    below: LSTMStep | None,
    unit: int,
    *,
    rows: tuple[str, ...] = GATE_ROWS,
    peepholes: Mapping[str, np.ndarray] | None = None,
) -> list[LayerSum]:
    """Each gate's W_· · [h_{t-1}, x_t] + b_· for `unit`, and a variant's extra term: a
    peephole p_· * C (C_{t-1} for f and i, C_t for o; PEEPHOLE_READS)."""
    sums = gate_sums(params, unit, prev["h"], x, record, [BOXES[block] for block in rows])
    for k, block in enumerate(rows):
        p = (peepholes or {}).get(block)
        if p is not None:
            reads = PEEPHOLE_READS[block]
            c = prev["c"] if reads == "c_prev" else record.c
            sums[k] = replace(sums[k], parts=(*sums[k].parts, one_entry(reads, c, p, unit)))
    return sums


# --- the walk-through: the article's four steps -----------------------------------------

HX = cat(v("h_prev"), v("x"))  # [h_{t-1}, x_t]
PEEPHOLE_READS = {"f": "c_prev", "i": "c_prev", "o": "c"}  # the C each gate's peephole sees


def gate_layer(gate: str, peepholes: tuple[str, ...] = ()) -> Equation:
    """g_t = σ(W_g · [h_{t-1}, x_t] (+ p_g * C) + b_g)."""
    inside: Term = W(gate) @ HX
    if gate in peepholes:
        inside = inside + weight("p", gate) * v(PEEPHOLE_READS[gate])
    return v(gate) == sigma(inside + b(gate))


def stages(
    peepholes: tuple[str, ...] = (), coupled: bool = False, depth: bool = False, update_notes: tuple[str, ...] = ()
) -> tuple[Stage, ...]:
    """The article's four steps, and what a variant changes in them: peepholes (only
    those the model has), the coupled input gate i = 1 − f, a depth gate as a step of its own."""
    peeping = {gate: (f"peephole_{gate}",) if gate in peepholes else () for gate in "fio"}
    note = {gate: ("note_peephole_per_unit",) if gate in peepholes else () for gate in "fio"}
    update: Term = v("f") * v("c_prev") + (1 - v("f") if coupled else v("i")) * v("c_tilde")
    if depth:
        update = update + v("d") * v("c_below")
    forget = Stage(
        key="forget",
        parts=("belt", "forget", *peeping["f"]),
        vectors=("f", "c_prev", "f_c", "x", "h_prev"),
        equations=(gate_layer("f", peepholes),),
        story=(
            (("f", ">", 0.9), "story_forget_keep"),
            (("f", "<", 0.1), "story_forget_wipe"),
            (None, "story_forget_some"),
        ),
        notes=note["f"],
    )
    candidate = v("c_tilde") == tanh(W("C") @ HX + b("C"))
    if coupled:
        write = Stage(
            key="coupled",
            parts=("belt", "coupled", "candidate"),
            vectors=("f", "i", "c_tilde", "i_c", "x", "h_prev"),
            equations=(v("i") == 1 - v("f"), candidate),
            story=((None, "story_coupled"),),
        )
    else:
        write = Stage(
            key="input",
            parts=("belt", "input", "candidate", *peeping["i"]),
            vectors=("i", "c_tilde", "i_c", "x", "h_prev"),
            equations=(gate_layer("i", peepholes), candidate),
            story=((("i", "<", 0.1), "story_input_shut"), (None, "story_input_open")),
            notes=note["i"],
        )
    depth_stage = Stage(
        key="depth",
        parts=("belt", "depth"),
        vectors=("d", "c_below", "c_prev", "d_c", "x"),
        equations=(
            v("d")
            == sigma(W("xd") @ v("x") + weight("w", "cd") * v("c_below") + weight("w", "ld") * v("c_prev") + b("d")),
        ),
        story=((("d", "<", 0.1), "story_depth_shut"), (None, "story_depth_open")),
        notes=("note_depth_gate",),
    )
    update_stage = Stage(
        key="update",
        parts=("belt", "update", *(("depth",) if depth else ())),
        vectors=("f_c", "i_c", "c", "c_prev", *(("d_c",) if depth else ())),
        equations=(v("c") == update,),
        story=((None, "story_update_depth" if depth else "story_update"),),
        notes=update_notes,
    )
    output = Stage(
        key="output",
        parts=("belt", "output", *peeping["o"]),
        vectors=("o", "tanh_c", "h", "c"),
        equations=(gate_layer("o", peepholes), v("h") == v("o") * tanh(v("c"))),
        story=((("o", "<", 0.1), "story_output_hide"), (None, "story_output_show")),
        notes=note["o"],
    )
    return (forget, write, *((depth_stage,) if depth else ()), update_stage, output)


def figure(
    label: str = "diagram_lstm",
    peepholes: tuple[str, ...] = (),
    coupled: bool = False,
    depth: bool = False,
    notes: tuple[Note, ...] = (),
    update_notes: tuple[str, ...] = (),
) -> Figure:
    """The article's LSTM diagram (static/js/diagram/lstm.js) with the parts a variant has."""
    parts = (
        "belt",
        "forget",
        "coupled" if coupled else "input",
        "candidate",
        "update",
        "output",
        *(f"peephole_{gate}" for gate in peepholes),
        *(("depth",) if depth else ()),
    )
    return Figure(
        family="lstm",
        label=label,
        parts=parts,
        stages=stages(peepholes, coupled, depth, update_notes),
        reads_below=depth,
        notes=notes,
    )


FIGURE = figure()

LSTM = Cell(
    name="lstm",
    title="LSTM",
    record=LSTMStep,
    gate_rows=GATE_ROWS,
    zero_state=zero_state,
    step_projected=step_projected,
    backward=backward,
    jacobian=jacobian,
    figures=lambda options: (FIGURE,),
    trace_unfixed=trace_unfixed,
    layer_sums=layer_sums,
)
