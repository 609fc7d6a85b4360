"""Models trained elsewhere, converted to Gatescope's model file.

Each importer only renames and rearranges arrays into the file's keys (PyTorch's
names and gate order); the result then goes through the same checks as any model
file (app/models/format.py) before it is written. Torch, safetensors and h5py are
imported only inside the importer that needs them: serving never does.

An importer never guesses silently: what a file cannot tell is either refused, asked
of the user (an option), or, where a default is the only reading, said in a note that
the command prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

TERMINAL_CODES = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # colour and style codes some libraries put in messages


class ModelImportError(ValueError):
    """A file that cannot be imported; the message says what is wrong and what to do."""


def plain_words(message: str) -> str:
    """A library's message as plain text on one line: no terminal codes, no layout."""
    return " ".join(TERMINAL_CODES.sub("", message).split())


@dataclass
class Converted:
    """An importer's result: the cell, the model file's weight arrays, and notes on what
    was assumed or found without being asked (printed by the command)."""

    cell: str
    weights: dict[str, np.ndarray]
    notes: list[str] = field(default_factory=list)
