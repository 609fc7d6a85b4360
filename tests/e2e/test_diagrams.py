"""Each cell's diagram against the cell's own equations. The diagram is read back as a
graph (which drawn operation feeds which: data-node, data-op, data-vector on what is
drawn, data-from and data-to on every wire), each vector an equation defines is worked
back through the wires to what it is computed from, and that must be what the equation
says: the same learned layer reading the same inputs (merging lines: a concatenation),
the same pointwise products, sums and 1 −, the same switch."""

from collections import Counter

import httpx2
import pytest
from playwright.sync_api import expect

TEXT = "I grew up"

# (model, layer): every cell, in each of its forms, and the depth-gated LSTM's two kinds of layer
DIAGRAMS = [
    ("rnn-demo", 0),
    ("lstm-demo", 0),
    ("peephole-demo", 0),
    ("cifg-demo", 0),
    ("gru-demo", 0),
    ("gru-article-demo", 0),
    ("dglstm-demo", 0),
    ("dglstm-demo", 1),
    ("cwrnn-demo", 0),
]

READ_GRAPH = """svg => ({
  nodes: [...svg.querySelectorAll('[data-node]')].map(n => [n.dataset.node, n.dataset.op, n.dataset.vector ?? null]),
  wires: [...svg.querySelectorAll('[data-from]')].map(w => [w.dataset.from, w.dataset.to, w.dataset.role ?? 'value']),
})"""


def key(expression):
    return repr(expression)


def sorted_terms(terms):
    return tuple(sorted(terms, key=key))


def has_product(term) -> bool:
    return term[0] == "·" or any(
        isinstance(a, list) and a and isinstance(a[0], str) and has_product(a) for a in term[1:]
    )


class Equations:
    """The equations a figure's stages declare, each as the structure it computes."""

    def __init__(self, figure):
        self.rhs = {eq["lhs"][1]: eq["rhs"] for stage in figure["stages"] for eq in stage["equations"]}
        self.layered = {name for name, rhs in self.rhs.items() if rhs[0] in ("σ", "tanh") and has_product(rhs[1])}

    def vector(self, name):
        """A vector a learned layer makes, or an input, by name; one computed pointwise, as its computation."""
        if name in self.rhs and name not in self.layered:
            return self.canon(self.rhs[name])
        return ("v", name)

    def inputs(self, term):
        """What a learned layer's argument reads: each summand's vectors (a bias reads none)."""
        found = []
        for summand in term[1:] if term[0] == "+" else [term]:
            if summand[0] == "·":
                found += self.concatenated(summand[2])
            elif summand[0] == "*":
                weights = [f for f in summand[1:] if f[0] == "p"]
                rest = [f for f in summand[1:] if f[0] != "p"]
                found += [self.canon(rest[0])] if weights else [self.canon(summand)]
        return frozenset(found)

    def concatenated(self, term):
        return [self.canon(part) for part in term[1:]] if term[0] == "[]" else [self.canon(term)]

    def canon(self, term):
        op, *args = term
        if op == "v":
            return self.vector(args[0])
        if op == "n":
            return ("n", args[0])
        if op in ("σ", "tanh"):
            return (f"layer-{op}", self.inputs(args[0])) if has_product(args[0]) else (op, self.canon(args[0]))
        if op == "*":
            return ("*", *sorted_terms(("linear", self.inputs(f)) if has_product(f) else self.canon(f) for f in args))
        if op == "+":
            parts = [self.canon(a) for a in args]
            return ("+", *sorted_terms(p for part in parts for p in (part[1:] if part[0] == "+" else [part])))
        if op == "−" and args[0] == ["n", "1"]:
            return ("1−", self.canon(args[1]))
        if op == "cases":
            values = [value for value, _ in args]
            if all(value[0] == "n" for value in values):
                return ("clock",)  # a_t: 1 where the module ticks, else 0; no inputs
            return ("switch", frozenset(self.canon(value) for value in values))
        raise AssertionError(f"no structure for {op}")


class Drawing:
    """The diagram's graph, each node worked back to what it computes."""

    def __init__(self, graph, equations: Equations):
        self.nodes = {node: (op, vector) for node, op, vector in graph["nodes"]}
        self.feeds = {node: [] for node in self.nodes}
        self.controls = {node: [] for node in self.nodes}
        for source, target, role in graph["wires"]:
            assert source in self.nodes and target in self.nodes, f"a wire from {source} to {target}: no such node"
            (self.controls if role == "control" else self.feeds)[target].append(source)
        self.equations = equations

    def read(self, node):
        """What a consumer reads from `node`: a layer's output by its vector's name."""
        op, vector = self.nodes[node]
        if vector in self.equations.layered:
            return ("v", vector)
        return self.compute(node)

    def flat(self, node):
        """A layer's inputs: joined lines are a concatenation of what each brings."""
        value = self.read(node)
        return value[1] if value[0] == "cat" else [value]

    def compute(self, node):
        op, vector = self.nodes[node]
        sources = self.feeds[node]
        if op == "input":
            return ("v", vector)
        if op == "junction":
            if len(sources) == 1:
                return self.read(sources[0])
            parts = [self.read(s) for s in sources]
            return ("cat", [p for part in parts for p in (part[1] if part[0] == "cat" else [part])])
        if op.startswith("layer-") or op == "linear":
            inputs = frozenset(p for s in sources for p in self.flat(s))
            return (op, inputs)
        if op == "×":
            return ("*", *sorted_terms(self.read(s) for s in sources))
        if op == "+":
            parts = [self.read(s) for s in sources]
            return ("+", *sorted_terms(p for part in parts for p in (part[1:] if part[0] == "+" else [part])))
        if op == "1−":
            (source,) = sources
            return ("1−", self.read(source))
        if op == "tanh":
            (source,) = sources
            return ("tanh", self.read(source))
        if op == "switch":
            assert [self.nodes[c][0] for c in self.controls[node]] == ["clock"], "the switch is driven by the clock"
            return ("switch", frozenset(self.read(s) for s in sources))
        if op == "clock":
            return ("clock",)
        raise AssertionError(f"node {node}: no structure for {op}")

    def making(self, vector):
        return [n for n, (op, v) in self.nodes.items() if v == vector and op not in ("input", "output")]


@pytest.mark.parametrize(("model", "layer"), DIAGRAMS)
def test_each_diagram_computes_what_its_equations_say(page, server_url, model, layer):
    meta = httpx2.post(f"{server_url}/api/trace", json={"model": model, "text": TEXT}).json()["meta"]
    figure = meta["cell_figures"][min(layer, len(meta["cell_figures"]) - 1)]
    page.goto(f"{server_url}/?model={model}&layer={layer}&text=I%20grew%20up")
    diagram = page.get_by_test_id("diagram")
    expect(diagram).to_have_attribute("data-family", figure["family"])
    graph = diagram.evaluate(READ_GRAPH)
    counts = Counter(node for node, _, _ in graph["nodes"])
    assert [node for node, n in counts.items() if n > 1] == [], "node ids are unique"
    equations = Equations(figure)
    drawing = Drawing(graph, equations)
    assert set(equations.rhs), "the figure has equations"
    for name, rhs in equations.rhs.items():
        makers = drawing.making(name)
        assert len(makers) == 1, f"{model}: one element makes {name}; found {makers}"
        assert drawing.compute(makers[0]) == equations.canon(rhs), f"{model} layer {layer}: {name}"
    # Learned layers are the yellow boxes, and only they: the clockwork's modules are not.
    learned = {n for n, (op, _) in drawing.nodes.items() if op.startswith("layer-") or op == "linear"}
    boxes = set(diagram.locator(".layer-box").evaluate_all("bs => bs.map(b => b.dataset.node)"))
    assert learned == boxes


def test_the_grus_candidate_reads_only_r_times_h_and_x(page, server_url):
    """The article's GRU: h̃_t = tanh(W · [r_t * h_{t-1}, x_t] + b); the [h_{t-1}, x_t] line
    feeds the two gates only (by the article's notation, a line running on would concatenate)."""
    page.goto(f"{server_url}/?model=gru-article-demo&text=I%20grew%20up")
    expect(page.get_by_test_id("diagram")).to_have_attribute("data-cell", "gru")
    graph = page.get_by_test_id("diagram").evaluate(READ_GRAPH)
    meta = httpx2.post(f"{server_url}/api/trace", json={"model": "gru-article-demo", "text": TEXT}).json()["meta"]
    drawing = Drawing(graph, Equations(meta["cell_figures"][0]))
    (candidate,) = drawing.making("h_tilde")
    assert drawing.compute(candidate) == ("layer-tanh", frozenset({("*", ("v", "h_prev"), ("v", "r")), ("v", "x")}))


def test_the_depth_gate_reads_x_its_own_cell_and_the_cell_below_which_goes_into_the_product(page, server_url):
    page.goto(f"{server_url}/?model=dglstm-demo&layer=1&text=I%20grew%20up")
    expect(page.get_by_test_id("depth-gate")).to_be_visible()
    graph = page.get_by_test_id("diagram").evaluate(READ_GRAPH)
    meta = httpx2.post(f"{server_url}/api/trace", json={"model": "dglstm-demo", "text": TEXT}).json()["meta"]
    drawing = Drawing(graph, Equations(meta["cell_figures"][1]))
    (gate,) = drawing.making("d")
    assert drawing.compute(gate) == ("layer-σ", frozenset({("v", "x"), ("v", "c_below"), ("v", "c_prev")}))
    (product,) = drawing.making("d_c")
    assert drawing.compute(product) == ("*", ("v", "c_below"), ("v", "d"))


def test_clockwork_modules_show_their_slow_to_fast_connections(page, server_url):
    page.goto(f"{server_url}/?model=cwrnn-demo&text=I%20grew%20up")
    links = page.get_by_test_id("module-link")
    expect(page.get_by_test_id("clock-module")).to_have_count(4)  # periods 1, 2, 4, 8
    periods = page.get_by_test_id("clock-module").evaluate_all("ms => ms.map(m => Number(m.dataset.period))")
    pairs = links.evaluate_all("ls => ls.map(l => [Number(l.dataset.slow), Number(l.dataset.fast)])")
    # module g reads module j where T_j ≥ T_g: an arrow from every slower module to every faster one
    expected = [[j, g] for j in range(len(periods)) for g in range(len(periods)) if periods[j] > periods[g]]
    assert sorted(pairs) == sorted(expected) and len(expected) == 6


@pytest.mark.parametrize(("model", "layer"), DIAGRAMS)
def test_no_strip_covers_a_label(page, server_url, model, layer):
    page.goto(f"{server_url}/?model={model}&layer={layer}&text=I%20grew%20up")
    diagram = page.get_by_test_id("diagram")
    expect(diagram.locator("rect.unit").first).to_be_attached()
    boxes = diagram.evaluate("""svg => {
      const box = (e) => { const b = e.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height]; };
      const strips = [...svg.querySelectorAll('.strip')].map(s => [s.dataset.vector,
        [...s.querySelectorAll('rect.unit')].map(box).reduce((a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])])]);
      const labels = [...svg.querySelectorAll('text')].map(t => [t.textContent, box(t), t.closest('.strip')?.dataset.vector ?? null]);
      return { strips, labels };
    }""")

    def overlap(a, b):
        return a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1

    covered = [
        (vector, text)
        for vector, strip in boxes["strips"]
        for text, label, owner in boxes["labels"]
        if owner != vector and text.strip() and overlap(strip, label)
    ]
    assert covered == []
