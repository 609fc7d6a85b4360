"""A cell's equations as data, for the Four steps panel: each cell declares its stages
here in Python, the page renders them as MathML and puts the selected unit's numbers in.

A term is written with Python's operators, so an equation reads like the article's:

    v("f") == sigma(W("f") @ cat(v("h_prev"), v("x")) + b("f"))      f_t = σ(W_f·[h_{t-1}, x_t] + b_f)
    v("c") == v("f") * v("c_prev") + v("i") * v("c_tilde")            C_t = f_t * C_{t-1} + i_t * C̃_t

`@` is the matrix product (the article's ·), `*` the pointwise one. Vectors are named as a
step's record names them (app/cells/base.py); a state's value before the step is its name
with `_prev`, the layer's input is `x`, the cell state of the layer below `c_below`. The
page writes each vector in the article's notation (static/js/config.js) and, for the
numbers, replaces each one that stands outside a matrix product by the selected unit's
value: a matrix product mixes every unit, so it stays a symbol.

As JSON a term is a list [op, *args]:
    ["v", name]                a vector              ["p", letter, index]  a weight (never a number)
    ["n", "1"]                 a constant            ["t"], ["T"]          the step, the unit's clock period
    ["σ", a], ["tanh", a]      a function of a       ["·", a, b]           matrix product
    ["*", a, b]                pointwise product     ["+", a, b, …], ["−", a, b]
    ["[]", a, b, …]            concatenation         ["mod", a, b], ["=", a, b]
    ["cases", [a, cond], [b, null]]                  a if cond holds, else b
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, eq=False)
class Term:
    op: str
    args: tuple = ()

    def __add__(self, other: Term) -> Term:
        return Term("+", (*self.summands(), *other.summands()))

    def __sub__(self, other: Term) -> Term:
        return Term("−", (self, other))

    def __rsub__(self, other: int) -> Term:  # 1 - f
        return Term("−", (num(other), self))

    def __mul__(self, other: Term) -> Term:
        return Term("*", (self, other))

    def __matmul__(self, other: Term) -> Term:
        return Term("·", (self, other))

    def __eq__(self, other: Term) -> Equation:  # type: ignore[override]  # lhs == rhs builds an equation
        return Equation(self, other)

    __hash__ = None  # type: ignore[assignment]

    def summands(self) -> tuple[Term, ...]:
        return self.args if self.op == "+" else (self,)

    def to_json(self) -> list:
        return [self.op, *(arg.to_json() if isinstance(arg, Term) else _json(arg) for arg in self.args)]

    def walk(self, inside_product: bool = False) -> Iterator[tuple[Term, bool]]:
        """Every term under this one, each with whether it lies inside a matrix product."""
        yield self, inside_product
        for arg in self.args:
            for part in arg if isinstance(arg, tuple) else (arg,):
                if isinstance(part, Term):
                    yield from part.walk(inside_product or self.op == "·")

    def vectors(self) -> set[str]:
        return {term.args[0] for term, _ in self.walk() if term.op == "v"}


def _json(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_json(item) for item in value]
    return value.to_json() if isinstance(value, Term) else value


def v(name: str) -> Term:
    return Term("v", (name,))


def W(index: str = "", sup: str = "") -> Term:  # noqa: N802  (the article's capital W)
    return Term("p", ("W", index, sup))


def b(index: str = "", sup: str = "") -> Term:
    return Term("p", ("b", index, sup))


def weight(letter: str, index: str = "", sup: str = "") -> Term:
    """Any other weight: p_f (a peephole), w_{cd} (a per-unit depth weight), …"""
    return Term("p", (letter, index, sup))


def num(value: int | str) -> Term:
    return Term("n", (str(value),))


def sigma(term: Term) -> Term:
    return Term("σ", (term,))


def tanh(term: Term) -> Term:
    return Term("tanh", (term,))


def cat(*terms: Term) -> Term:
    return Term("[]", terms)


def mod(a: Term, b: Term) -> Term:
    return Term("mod", (a, b))


STEP = Term("t")  # the time step t
PERIOD = Term("T")  # T_g, the period of the selected unit's module (clockwork RNN)


def cases(value: Term, condition: Equation, otherwise: Term) -> Term:
    """`value` where `condition` holds, else `otherwise` (a unit of a clockwork module)."""
    return Term("cases", ((value, Term("=", (condition.lhs, condition.rhs))), (otherwise, None)))


@dataclass(frozen=True)
class Equation:
    lhs: Term
    rhs: Term

    def to_json(self) -> dict:
        return {"lhs": self.lhs.to_json(), "rhs": self.rhs.to_json()}

    def vectors(self) -> set[str]:
        return self.lhs.vectors() | self.rhs.vectors()

    def __bool__(self) -> bool:  # `a == b` builds an Equation: never let it pass for a truth value
        raise TypeError("an Equation is not a truth value")


# A story's case: (vector, "<" or ">", threshold), or None for the case that always holds.
Condition = tuple[str, str, float] | None


@dataclass(frozen=True)
class Stage:
    """One step of the walk-through: what it lights on the diagram, its equations, and the
    sentence that tells what the selected unit does. `key` names its strings in the page's
    tables (static/js/i18n): stage_title_KEY, stage_button_KEY; `notes` and the story's
    keys are such names too. The story is the first case whose condition holds for the
    selected unit; its text may use any vector's value ({f}, {c_prev}, {pct_f}, …)."""

    key: str
    parts: tuple[str, ...]  # diagram parts (data-part) this stage lights
    vectors: tuple[str, ...]  # strips it lights
    equations: tuple[Equation, ...]
    story: tuple[tuple[Condition, str], ...]
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "parts": list(self.parts),
            "vectors": list(self.vectors),
            "equations": [equation.to_json() for equation in self.equations],
            "story": [[list(condition) if condition else None, key] for condition, key in self.story],
            "notes": list(self.notes),
        }


Note = tuple[str, dict]  # a line the model line adds: a key of the page's string tables, the values its text puts in


@dataclass(frozen=True)
class Figure:
    """How one kind of layer of a cell is drawn and walked through: the diagram module that
    draws it (static/js/diagram/FAMILY.js), the parts that diagram draws, the stages; its
    `label` names the diagram's description and `notes` the lines the model line adds
    (keys of the page's string tables, each with the values its text puts in)."""

    family: str
    label: str
    parts: tuple[str, ...]
    stages: tuple[Stage, ...]
    reads_below: bool = False  # its equations read the layer below's cell state (c_below)
    notes: tuple[Note, ...] = field(default=())

    def to_json(self) -> dict:
        return {
            "family": self.family,
            "label": self.label,
            "parts": list(self.parts),
            "stages": [stage.to_json() for stage in self.stages],
            "notes": [[key, values] for key, values in self.notes],
        }

    def vectors(self) -> set[str]:
        """Every vector its equations name."""
        return set().union(*(equation.vectors() for stage in self.stages for equation in stage.equations))
