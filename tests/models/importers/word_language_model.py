"""PyTorch's word_language_model example as a user runs it, written here for the tests:
its corpus dictionary (data.py: every line's `line.split()` and "<eos>", the words of
train, valid and test files all added in order of first sight), its RNNModel (encoder →
dropout → rnn → dropout → decoder, optionally tied), and a few steps of its training
(batchify, bptt slices, hidden state carried and detached, gradient clipping)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.models.importers.reference import torch

# A few lines of a made-up encyclopaedia in WikiText's spelling: punctuation and "@-@"
# stand apart, apostrophes stay inside words, headings are " = Title = ", rare words are <unk>.
WORDS = "the a river town was is in of and built by its north south old new mill bridge church".split()
WORDS += "it's don't wasn't king's 1850 1902 two three named after <unk> <unk>".split()
PUNCTUATION = [",", ".", "(", ")", ";", "@-@", "'s"]


def line_of_text(rng: np.random.Generator) -> str:
    if rng.random() < 0.1:
        return ""
    if rng.random() < 0.1:
        return f" = {rng.choice(WORDS).title()} {rng.choice(WORDS)} = "
    words = [str(rng.choice(WORDS + PUNCTUATION if k else WORDS)) for k in range(int(rng.integers(3, 14)))]
    return " " + " ".join(words) + " . "


def write_corpus(folder: Path, seed: int = 0) -> Path:
    """train.txt, valid.txt and test.txt as WikiText lays them out (every line ends in "\\n")."""
    rng = np.random.default_rng(seed)
    for name, lines in (("train", 300), ("valid", 40), ("test", 40)):
        (folder / f"{name}.txt").write_text("".join(line_of_text(rng) + "\n" for _ in range(lines)), encoding="utf8")
    return folder


class Corpus:
    """data.py's Dictionary and Corpus: ids in order of first sight over the three files."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.idx2word: list[str] = []
        self.word2idx: dict[str, int] = {}
        self.train, self.valid, self.test = (
            self.tokenize(folder / f"{name}.txt") for name in ("train", "valid", "test")
        )

    def add_word(self, word: str) -> int:
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]

    def tokenize(self, path: Path) -> list[int]:
        with open(path, encoding="utf8") as file:
            return [self.add_word(word) for line in file for word in line.split() + ["<eos>"]]


class RNNModel(torch.nn.Module):
    """The example's model.py RNNModel: the state_dict it saves is encoder.*, rnn.*, decoder.*."""

    def __init__(self, kind: str, ntoken: int, ninp: int, nhid: int, nlayers: int, dropout=0.2, tie_weights=False):
        super().__init__()
        self.drop = torch.nn.Dropout(dropout)
        self.encoder = torch.nn.Embedding(ntoken, ninp)
        if kind in ("LSTM", "GRU"):
            self.rnn = getattr(torch.nn, kind)(ninp, nhid, nlayers, dropout=dropout if nlayers > 1 else 0)
        else:
            nonlinearity = {"RNN_TANH": "tanh", "RNN_RELU": "relu"}[kind]
            self.rnn = torch.nn.RNN(
                ninp, nhid, nlayers, nonlinearity=nonlinearity, dropout=dropout if nlayers > 1 else 0
            )
        self.decoder = torch.nn.Linear(nhid, ntoken)
        if tie_weights:
            self.decoder.weight = self.encoder.weight
        for weight in (self.encoder.weight, self.decoder.weight):
            torch.nn.init.uniform_(weight, -0.1, 0.1)
        torch.nn.init.zeros_(self.decoder.bias)

    def forward(self, ids, hidden=None):
        output, hidden = self.rnn(self.drop(self.encoder(ids)), hidden)
        return torch.log_softmax(self.decoder(self.drop(output)), dim=-1), hidden


def batchify(ids: list[int], columns: int):
    data = torch.tensor(ids, dtype=torch.int64)
    rows = len(data) // columns
    return data[: rows * columns].view(columns, -1).t().contiguous()  # (rows, columns)


def detach(hidden):
    return tuple(h.detach() for h in hidden) if isinstance(hidden, tuple) else hidden.detach()


def train_a_few_steps(model: RNNModel, ids: list[int], steps: int = 15, bptt: int = 12, lr: float = 0.01) -> RNNModel:
    """main.py's loop, with Adam so that a few steps move the weights well away from their start."""
    data, hidden = batchify(ids, 8), None
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for step in range(steps):
        start = (step * bptt) % (len(data) - bptt - 1)
        inputs, targets = data[start : start + bptt], data[start + 1 : start + 1 + bptt]
        hidden = None if hidden is None else detach(hidden)
        output, hidden = model(inputs, hidden)
        loss = torch.nn.functional.nll_loss(output.view(-1, output.shape[-1]), targets.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        optimizer.step()
    return model.eval()
