"""A model trained with PyTorch's word_language_model pipeline, imported with
`--tokenizer whitespace` (guessed from its <eos>), reads the ids it was trained on and
traces as torch computes it, on held-out text with line ends."""

import pytest

from app.cli import main
from app.models.format import load_model
from app.models.tokenizers import WordTokenizer
from app.tracing.session import TraceSession
from tests.models.importers.reference import assert_trace_matches, torch, torch_steps, write_vocab
from tests.models.importers.word_language_model import Corpus, RNNModel, train_a_few_steps, write_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return Corpus(write_corpus(tmp_path_factory.mktemp("corpus")))


def import_checkpoint(tmp_path, checkpoint, vocab, *options, name="model.pt"):
    """Save as a user would, then `gatescope import torch`; the written model's path."""
    path = tmp_path / name
    if isinstance(checkpoint, dict):
        torch.save(checkpoint, path)
    output = tmp_path / "imported.npz"
    argv = ["import", "torch", str(path), "--vocab", str(write_vocab(tmp_path / "vocab.txt", vocab))]
    assert main([*argv, "-o", str(output), *options]) == 0
    return output


@pytest.mark.parametrize("kind, tied", [("LSTM", False), ("LSTM", True), ("GRU", False)])
def test_a_trained_word_language_model_reads_its_own_ids_and_traces_as_torch(tmp_path, capsys, corpus, kind, tied):
    torch.manual_seed(1)
    model = RNNModel(kind, len(corpus.idx2word), 16, 16, 2, tie_weights=tied)
    before = model.decoder.bias.detach().clone()
    train_a_few_steps(model, corpus.train)
    assert not torch.equal(before, model.decoder.bias)  # trained: not the initial weights
    path = import_checkpoint(tmp_path, model.state_dict(), corpus.idx2word)
    assert "note: tokenizer whitespace (the vocabulary has <eos>" in capsys.readouterr().out

    held_out = (corpus.folder / "test.txt").read_text(encoding="utf8")  # never trained on
    imported = load_model(path)
    assert imported.tokenizer.kind == "whitespace"
    tokens = TraceSession(imported).tokenize(held_out)
    assert [t.id for t in tokens] == corpus.test  # the ids its own pipeline gives, <eos> at every line's end
    assert held_out.count("\n") == sum(t.text == "\n" for t in tokens) > 30
    lines = "".join(held_out.splitlines(keepends=True)[:12])  # the first lines, to keep the step-by-step check short
    ids = corpus.test[: len(TraceSession(imported).tokenize(lines))]
    assert_trace_matches(path, lines, torch_steps(model, ids), f"{kind}, tied={tied}")


def test_the_whitespace_tokenizer_reads_what_the_word_tokenizer_cannot(corpus, tmp_path):
    """The example's words keep their apostrophes and "@-@" whole, and <eos> is read."""
    held_out = (corpus.folder / "test.txt").read_text(encoding="utf8")
    whitespace = TraceSession(load_model(word_model(tmp_path, corpus))).tokenize(held_out)
    word = WordTokenizer(vocab=tuple(corpus.idx2word)).encode(held_out)
    literal_unk = held_out.split().count("<unk>")
    assert sum(t.unk for t in whitespace) == literal_unk  # only the corpus's own <unk> words
    assert sum(t.unk for t in word) > literal_unk + 20 and not any(t.text == "\n" for t in word)


def word_model(tmp_path, corpus):
    torch.manual_seed(0)
    state = RNNModel("LSTM", len(corpus.idx2word), 8, 8, 1).state_dict()
    return import_checkpoint(tmp_path, state, corpus.idx2word, "--tokenizer", "whitespace")
