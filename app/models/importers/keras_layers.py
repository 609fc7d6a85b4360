"""Which Keras layers make a model Gatescope can read, and where their weights are.

A model is a chain: an optional Embedding, one or more LSTM, GRU or SimpleRNN layers
of one kind, an optional Dense (or TimeDistributed(Dense)), with layers that do nothing
once a model is trained (InputLayer, Dropout) anywhere between. A `.keras` archive's
config.json records every layer's class and settings, so each is checked against the
article's cells: what differs is refused, naming what was found. A `.weights.h5` alone
records only weights, under group names made from each layer's class: the chain is
read off those names, with Keras's defaults assumed (and said) for all it cannot tell.

Keras 3 names a layer's weight group after its class in snake case, counting repeats
in model.layers order (lstm, lstm_1, …; time_distributed/layer for the wrapped layer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.models.importers import ModelImportError

RECURRENT_CLASSES = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "simple_rnn"}
WEIGHTLESS = {"InputLayer", "Dropout", "SpatialDropout1D"}  # identity once trained: nothing to read
OUTPUT_ACTIVATIONS = (None, "linear", "softmax")  # softmax(W·h + b) gives the same probabilities for these
# The article's cells: h̃ and C̃ with tanh, the gates with the logistic sigmoid.
ARTICLE_ACTIVATIONS = {"LSTM": ("tanh", "sigmoid"), "GRU": ("tanh", "sigmoid"), "SimpleRNN": ("tanh", None)}
GROUP_NAME = re.compile(r"([a-z0-9_]+?)(?:_(\d+))?")
KNOWN_GROUPS = {"embedding", "lstm", "gru", "simple_rnn", "dense"}
WEIGHTLESS_GROUPS = {"input_layer", "dropout", "spatial_dropout1d"}


@dataclass(frozen=True)
class KerasLayer:
    kind: str  # "embedding", "lstm", "gru", "simple_rnn" or "dense"
    group: str  # where its variables are under layers/ (or Keras 2.13's root)
    use_bias: bool | None = None  # None: not recorded (a weights file alone): read off the variables
    reset_after: bool | None = None  # a GRU's formulation; None: not recorded


def snake_case(class_name: str) -> str:
    """Keras's group name for a class: SimpleRNN -> simple_rnn, InputLayer -> input_layer."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", re.sub(r"\W+", "", class_name))
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def activation_name(value) -> str | None:
    """An activation as config.json records it: a name, or a serialized function."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict):
        inner = value.get("config")
        return inner if isinstance(inner, str) else inner.get("name") if isinstance(inner, dict) else str(value)
    return str(value)


# --- a .keras archive: the chain from config.json ---


def layer_configs(model: dict) -> list[dict]:
    """The model's layers in order, checked to be one chain (Sequential, or a Functional
    model in which each layer reads the one before it)."""
    kind = model.get("class_name")
    config = model.get("config") or {}
    layers = config.get("layers")
    if kind not in ("Sequential", "Functional") or not isinstance(layers, list):
        raise ModelImportError(
            f"the archive holds a {kind} model; Gatescope reads Sequential and Functional models, "
            "whose config lists their layers (a subclassed model's does not)"
        )
    if kind == "Functional":
        check_chain(layers, config)
    return layers


def histories(value) -> list[str]:
    """The layer names a Functional layer's inbound node reads (its keras_history entries)."""
    if isinstance(value, dict):
        if "keras_history" in value:
            return [value["keras_history"][0]]
        return [name for v in value.values() for name in histories(v)]
    if isinstance(value, list):
        return [name for v in value for name in histories(v)]
    return []


def check_chain(layers: list[dict], config: dict) -> None:
    names = [layer.get("name") or layer["config"].get("name") for layer in layers]
    for previous, layer, name in zip([None, *names], layers, names):
        nodes = layer.get("inbound_nodes") or []
        inputs = histories(nodes)
        if layer.get("class_name") == "InputLayer" and previous is None and not inputs:
            continue
        if len(nodes) != 1 or inputs != [previous]:
            raise ModelImportError(
                f"layer {name!r} reads {inputs or 'nothing'}, not just the layer before it ({previous!r}): "
                "Gatescope reads a chain of layers, one after another"
            )
    outputs = config.get("output_layers") or []
    outputs = [outputs] if outputs and isinstance(outputs[0], str) else outputs  # one output: [name, 0, 0]
    if [output[0] for output in outputs] not in ([], [names[-1]]):
        raise ModelImportError(f"the model's outputs are {outputs}, not its last layer alone")


def refuse(layer: str, found: str, why: str) -> ModelImportError:
    return ModelImportError(f"{layer}: {found}; {why}, so this model cannot be imported exactly")


def recurrent_layer(class_name: str, name: str | None, config: dict, group: str) -> KerasLayer:
    activation, gate_activation = ARTICLE_ACTIVATIONS[class_name]
    found = activation_name(config.get("activation", "tanh"))
    where = f"{class_name} layer {name!r}"
    if found != activation:
        raise refuse(where, f"activation={found!r}", f"the article's {class_name} computes its candidate with tanh")
    if gate_activation is not None:
        found = activation_name(config.get("recurrent_activation", "sigmoid"))
        if found != gate_activation:
            raise refuse(where, f"recurrent_activation={found!r}", "the article's gates are the logistic sigmoid σ")
    if config.get("go_backwards"):
        raise refuse(where, "go_backwards=True", "it reads the text backwards; the article's cells read forwards")
    reset_after = bool(config.get("reset_after", True)) if class_name == "GRU" else None
    return KerasLayer(RECURRENT_CLASSES[class_name], group, bool(config.get("use_bias", True)), reset_after)


def dense_layer(name: str | None, config: dict, group: str, wrapped: str = "") -> KerasLayer:
    found = activation_name(config.get("activation"))
    if found not in OUTPUT_ACTIVATIONS:
        raise refuse(
            f"{wrapped}Dense layer {name!r}",
            f"activation={found!r}",
            "Gatescope's decoder gives next-token probabilities softmax(W·h + b) (Dense with no activation or softmax)",
        )
    return KerasLayer("dense", group, bool(config.get("use_bias", True)))


def read_layer(layer: dict, group: str) -> KerasLayer | str | None:
    """A layer with weights, a final activation's name ("activation:softmax"), or None for
    a layer that does nothing once trained; anything else is refused."""
    class_name, config = layer.get("class_name"), layer.get("config") or {}
    name = config.get("name", class_name)
    for option in ("lora_rank", "quantization_config"):
        if config.get(option):
            raise refuse(f"{class_name} layer {name!r}", f"{option}={config[option]!r}", "its weights are not plain")
    if class_name in WEIGHTLESS:
        return None
    if class_name == "Embedding":
        if config.get("mask_zero"):
            raise refuse(
                f"Embedding layer {name!r}",
                "mask_zero=True",
                "token 0 is skipped by the recurrent layers, which the article's cells never do",
            )
        return KerasLayer("embedding", group)
    if class_name in RECURRENT_CLASSES:
        return recurrent_layer(class_name, name, config, group)
    if class_name == "Dense":
        return dense_layer(name, config, group)
    if class_name == "TimeDistributed":
        inner = config.get("layer") or {}
        if inner.get("class_name") == "Dense":
            return dense_layer(name, inner.get("config") or {}, f"{group}/layer", "TimeDistributed(")
        raise ModelImportError(
            f"TimeDistributed layer {name!r} wraps a {inner.get('class_name')}; Gatescope reads TimeDistributed(Dense) only"
        )
    if class_name == "Activation":
        return f"activation:{activation_name(config.get('activation'))}"
    if class_name == "Bidirectional":
        inner = (config.get("layer") or {}).get("class_name", "RNN")
        raise ModelImportError(
            f"Bidirectional({inner}) layer {name!r} reads the text backwards too; the article's cells read "
            "forwards only, so it cannot be imported"
        )
    raise ModelImportError(
        f"found a {class_name} layer {name!r}; Gatescope reads Embedding → LSTM, GRU or SimpleRNN layers → Dense "
        f"(with InputLayer and Dropout anywhere), so this model cannot be imported"
    )


def chain_from_config(model: dict) -> list[KerasLayer]:
    """The chain of weighted layers a .keras archive's config describes, each checked."""
    counts: dict[str, int] = {}
    chain: list[KerasLayer] = []
    final_activation = None
    for layer in layer_configs(model):
        base = snake_case(layer.get("class_name", ""))
        seen = counts.get(base, 0)
        group = f"{base}_{seen}" if seen else base
        counts[base] = seen + 1
        read = read_layer(layer, group)
        if isinstance(read, str):  # an Activation layer: only softmax or linear, and only after the Dense
            final_activation = read.removeprefix("activation:")
            name = (layer.get("config") or {}).get("name")
            if not chain or chain[-1].kind != "dense" or final_activation not in OUTPUT_ACTIVATIONS:
                raise refuse(
                    f"Activation layer {name!r}",
                    f"activation={final_activation!r} after a {chain[-1].kind if chain else 'nothing'} layer",
                    "Gatescope's model ends in softmax(W·h + b)",
                )
        elif read is not None:
            if final_activation is not None:
                raise ModelImportError(f"a {read.kind} layer follows the model's output activation")
            chain.append(read)
    check_order(chain)
    return chain


def check_order(chain: list[KerasLayer]) -> None:
    """Embedding? → recurrent layers of one kind → Dense?"""
    kinds = [layer.kind for layer in chain]
    recurrent = [kind for kind in kinds if kind in RECURRENT_CLASSES.values()]
    if not recurrent or len(set(recurrent)) > 1:
        raise ModelImportError(
            f"expected LSTM, GRU or SimpleRNN layers, all of one kind; found {', '.join(dict.fromkeys(recurrent)) or 'none'}"
        )
    expected = (
        (["embedding"] if kinds[0] == "embedding" else []) + recurrent + (["dense"] if kinds[-1] == "dense" else [])
    )
    if kinds != expected:
        raise ModelImportError(
            f"the layers run {' → '.join(kinds)}; Gatescope reads Embedding → {recurrent[0]} layers → Dense, in that order"
        )


# --- a .weights.h5 alone: the chain from its group names ---


def chain_from_groups(groups: dict[str, bool]) -> tuple[list[KerasLayer], list[str]]:
    """The chain a weights file's layer groups name ({group: holds weights}), in Keras's
    order, and the notes on what had to be assumed."""
    found: dict[str, list[tuple[int, str]]] = {}
    for group, has_weights in groups.items():
        match = GROUP_NAME.fullmatch(group)
        base, number = (match[1], match[2]) if match else (group, None)
        if base in WEIGHTLESS_GROUPS:
            continue
        if base == "bidirectional":
            raise ModelImportError(
                f"layers/{group} is a Bidirectional wrapper: it reads the text backwards too; the article's cells "
                "read forwards only, so it cannot be imported"
            )
        if base not in KNOWN_GROUPS:
            what = "a TimeDistributed wrapper, whose wrapped layer" if base == "time_distributed" else "a layer that"
            raise ModelImportError(
                f"layers/{group} is {what} a .weights.h5 does not describe"
                f"{'' if has_weights else ' (it has no weights, but may change what the model computes)'}; "
                "import the .keras archive (model.save('model.keras')), whose config says what each layer is"
            )
        found.setdefault(base, []).append((int(number or 0), group))
    order = ["embedding", *[k for k in ("lstm", "gru", "simple_rnn") if k in found], "dense"]
    chain = [KerasLayer(kind, group) for kind in order for _, group in sorted(found.get(kind, []))]
    for kind in ("embedding", "dense"):
        if len(found.get(kind, [])) > 1:
            names = ", ".join(group for _, group in sorted(found[kind]))
            raise ModelImportError(f"several {kind} layers ({names}); Gatescope reads at most one")
    check_order(chain)
    recurrent = chain[1 if chain[0].kind == "embedding" else 0].kind
    defaults = "activation='tanh'" + ("" if recurrent == "simple_rnn" else ", recurrent_activation='sigmoid'")
    notes = [
        "a .weights.h5 records weights only, not what the layers compute: assumed Keras's defaults "
        f"({defaults}, go_backwards=False) and the order {' → '.join(layer.group for layer in chain)}; "
        "import the .keras archive (model.save('model.keras')) to have them checked"
    ]
    return chain, notes
