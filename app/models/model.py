"""A language model around a stack of cells: tokens in, every layer's steps and
next-token probabilities out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from app.cells import Cell, Fix, StepRecord, keep
from app.models.tokenizers import Tokenizer

TOP_K_BYTES = 16 * 1024 * 1024  # next-token guesses: the (rows, V) arrays of one pass stay within this
BYTES_PER_LOGIT = 16  # per (row, token): a float32 logit, argpartition's int64 index, and some slack


class NonFiniteError(ValueError):
    """The model computed NaN or an infinity: its weights are finite, but too large for
    float32 arithmetic. Never sent on: every frame holds finite numbers."""

    code = "bad_model"

    def __init__(self, what: str):
        super().__init__(f"the model computed NaN or an infinity ({what}): its weights are too large for float32")


@dataclass(frozen=True)
class Model:
    name: str
    cell: Cell
    tokenizer: Tokenizer
    layers: tuple[Any, ...]  # one params record per layer, bottom first
    embedding: np.ndarray | None = None  # (V, E); None: one-hot inputs, X = V
    decoder_weight: np.ndarray | None = None  # (V, H)  logits = W h_t + b
    decoder_bias: np.ndarray | None = None  # (V,)
    description: str = ""
    trained: bool = False  # False: random weights, nothing learned (the UI says so)
    info: dict = field(default_factory=dict)  # training data, task, metrics, seed, ...

    @property
    def hidden_size(self) -> int:
        return self.layers[0].hidden_size

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def vocab_size(self) -> int:
        return len(self.tokenizer.vocab)

    @property
    def has_decoder(self) -> bool:
        return self.decoder_weight is not None

    @cached_property
    def guesses_after(self) -> frozenset[int] | None:
        """The token ids after which the model was trained to guess the next token, when
        its training scored only some positions (info["guesses_after"], their tokens: a
        task model scored only at its answer); None when it records none (every position,
        as a language model is trained). A malformed record counts as none."""
        tokens = self.info.get("guesses_after")
        if not isinstance(tokens, list) or not all(isinstance(token, str) for token in tokens):
            return None
        index = {token: i for i, token in enumerate(self.tokenizer.vocab)}
        return frozenset(index[token] for token in tokens if token in index)

    def trained_to_guess_after(self, token_id: int) -> bool | None:
        """Whether the model was trained to guess what follows this token; None: it does not say."""
        return None if self.guesses_after is None else token_id in self.guesses_after

    def decoder(self) -> tuple[np.ndarray, np.ndarray]:
        """W (V, H) and b (V,) of the next-token decoder, which only a model that has one is asked for."""
        if self.decoder_weight is None or self.decoder_bias is None:
            raise ValueError(f"model {self.name!r} has no decoder: it makes no next-token guesses")
        return self.decoder_weight, self.decoder_bias

    @property
    def cell_options(self) -> dict:
        """The cell's model-wide choices (peepholes, GRU form, clock periods), as JSON."""
        return self.cell.options(self.layers[0])

    def zero_state(self) -> list[Any]:
        dtype = self.layers[0].weight_hh.dtype
        return [self.cell.zero_state(self.hidden_size, dtype) for _ in self.layers]

    def inputs(self, ids: np.ndarray) -> np.ndarray:
        """x_t for every token: its embedding row, or a one-hot vector."""
        if self.embedding is not None:
            return self.embedding[ids]  # (T, E)
        one_hot = np.zeros((len(ids), self.vocab_size), self.layers[0].weight_ih.dtype)
        one_hot[np.arange(len(ids)), ids] = 1.0
        return one_hot  # (T, V)

    def forward(
        self, ids: np.ndarray, states: list[Any], fixes: Callable[[int, int], Fix | None] | None = None
    ) -> tuple[list[list[StepRecord]], list[Any]]:
        """Run the stack over token ids from `states`, one layer at a time: each layer
        reads the whole sequence of h_t from the layer below, so its input projections
        are one matrix product (and the records of the layer below, for a cell that
        links layers). `fixes(layer, k)`, when given, is a what-if intervention for step k
        (None: none). Returns records[layer][t] and the new states."""
        if len(ids) == 0:
            return [[] for _ in self.layers], list(states)
        xs, below = self.inputs(ids), None
        records, new_states = [], []
        for layer, (params, state) in enumerate(zip(self.layers, states, strict=True)):
            at = None if fixes is None else lambda k, layer=layer: fixes(layer, k) or keep
            layer_records = self.cell.trace(params, xs, state, below, at)
            records.append(layer_records)
            new_states.append(layer_records[-1].state())
            if layer + 1 < self.num_layers:  # the next layer reads these h_t as its x_t
                xs, below = np.stack([r.h for r in layer_records]), layer_records
        return records, new_states

    def next_token_probabilities(self, h_top: np.ndarray) -> np.ndarray:
        """softmax(W h_t + b) for each row of h_top (T, H) -> (T, V)."""
        weight, bias = self.decoder()
        logits = h_top @ weight.T + bias  # (T, V)
        logits = logits - logits.max(axis=1, keepdims=True)  # same softmax, no overflow
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def top_predictions(self, h_top: np.ndarray, k: int, max_bytes: int = TOP_K_BYTES) -> tuple[np.ndarray, np.ndarray]:
        """The k most probable next tokens after each row of h_top (T, H), most probable
        first, and their probabilities: ids (T, k), p (T, k).

        softmax(W h_t + b) is computed a few rows at a time, so that the (rows, V) arrays
        stay within `max_bytes` whatever V is (a 1,000,000-token vocabulary takes a row at
        a time), and the k largest are picked by partial selection, O(V), not a sort."""
        weight, bias = self.decoder()
        vocab = self.vocab_size
        k = min(k, vocab)
        rows = max(1, max_bytes // (vocab * BYTES_PER_LOGIT))
        ids = np.empty((len(h_top), k), np.int64)
        probabilities = np.empty((len(h_top), k), np.float32)
        for start in range(0, len(h_top), rows):
            with np.errstate(over="ignore", invalid="ignore"):  # told below, in words, not as a warning
                logits = h_top[start : start + rows] @ weight.T + bias  # (r, V)
            if not np.isfinite(logits).all():
                raise NonFiniteError("the decoder's next-token scores overflow float32")
            logits -= logits.max(axis=1, keepdims=True)  # the same softmax, and exp cannot overflow
            weights = np.exp(logits, out=logits)  # (r, V), in place: unnormalised probabilities
            top = np.sort(np.argpartition(weights, vocab - k, axis=1)[:, vocab - k :], axis=1)  # (r, k), by id
            chosen = np.take_along_axis(weights, top, axis=1) / weights.sum(axis=1, keepdims=True)
            order = np.argsort(-chosen, axis=1, kind="stable")  # most probable first
            ids[start : start + rows] = np.take_along_axis(top, order, axis=1)
            probabilities[start : start + rows] = np.take_along_axis(chosen, order, axis=1)
        return ids, probabilities
