"""Converted weights plus a vocabulary, checked as any model file is, into a Model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.models.format import ModelFileError, header_arrays, model_from_arrays
from app.models.importers import ModelImportError
from app.models.importers.vocabulary import guess_tokenizer
from app.models.model import Model


@dataclass(frozen=True)
class Vocabulary:
    tokens: tuple[str, ...]  # one per index
    unk_token: str = "<unk>"
    tokenizer: str = "auto"  # "char", "word", "whitespace", or "auto": guessed from the tokens
    lowercase: bool = False

    @property
    def tokenizer_kind(self) -> str:
        return guess_tokenizer(self.tokens, self.unk_token) if self.tokenizer == "auto" else self.tokenizer

    @property
    def notes(self) -> list[str]:
        """The guessed tokenizer, said, with the option that changes it."""
        if self.tokenizer != "auto":
            return []
        kind = self.tokenizer_kind
        why = {
            "char": "every token but <special> ones is one character",
            "whitespace": "the vocabulary has <eos>, as PyTorch's word_language_model writes it: words split on "
            "whitespace, <eos> at each line's end",
            "word": "the tokens are words: words and single punctuation marks",
        }[kind]
        return [f"tokenizer {kind} ({why}); choose another with --tokenizer"]


def check_rows(weights: dict[str, np.ndarray], vocabulary: Vocabulary) -> None:
    """The embedding and the decoder have one row per token, in the vocabulary's order."""
    size = len(vocabulary.tokens)
    for key, what in (("encoder.weight", "embedding"), ("decoder.weight", "decoder"), ("decoder.bias", "decoder")):
        if key in weights and np.ndim(weights[key]) >= 1 and weights[key].shape[0] != size:
            raise ModelImportError(
                f"the vocabulary has {size} tokens but the {what} ({key}) has "
                f"{weights[key].shape[0]} rows: it needs one token per row, in index order"
            )


def assemble_model(
    weights: dict[str, np.ndarray], cell: str, vocabulary: Vocabulary, name: str, description: str, info: dict
) -> Model:
    """`weights` hold the model file's weight keys (encoder.*, rnn.*, decoder.*, a cell's options)."""
    check_rows(weights, vocabulary)
    arrays = (
        header_arrays(
            cell,
            vocabulary.tokenizer_kind,
            vocabulary.tokens,
            vocabulary.unk_token,
            vocabulary.lowercase,
            description,
            True,
            info,
        )
        | weights
    )
    try:
        return model_from_arrays(arrays, name)
    except ModelFileError as error:
        raise ModelImportError(f"the converted model is not usable: {error}") from None
