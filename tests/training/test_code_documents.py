"""Training on source files: each file from a zero state, cut where a top-level line starts."""

import numpy as np

from app.training.batches import document_batches
from app.training.network import IGNORE
from app.training.tasks.code import clean_line_starts, pieces


def test_each_document_starts_a_window_and_padding_carries_no_target():
    documents = [np.arange(1, 8), np.arange(10, 13), np.arange(20, 24)]
    batches = list(document_batches(documents, batch=2, window=4, pad_id=0, rng=np.random.default_rng(0)))
    ids = np.concatenate([b.ids for b in batches])
    targets = np.concatenate([b.targets for b in batches])
    reset = np.stack([b.reset for b in batches])  # (windows, B)
    assert reset.sum() == 3 and [b.carry_state for b in batches] == [False] + [True] * (len(batches) - 1)
    read = {}
    for b in range(2):
        for w in np.flatnonzero(reset[:, b]):
            window = ids[4 * w :, b]
            first = int(window[0])
            read[first] = (window, targets[4 * w :, b])
    for document in documents:
        window, target = read[int(document[0])]
        n = len(document)
        assert (window[:n] == document).all()
        assert (target[: n - 1] == document[1:]).all() and target[n - 1] == IGNORE  # the file's end predicts nothing
        assert (target[n : -(-n // 4) * 4] == IGNORE).all()  # nor does its padding


def test_pieces_cut_long_files_only_at_top_level_lines():
    text = "".join(f"def f{k}(x):\n    return '''\n{k}\n'''\n" for k in range(200))
    cut = pieces(text, longest=500)
    assert "".join(cut) == text and len(cut) > 5
    assert all(len(piece) <= 500 for piece in cut)
    assert all(piece.startswith(("def ", "    return")) for piece in cut)  # never inside the string
    assert set(np.cumsum([len(p) for p in cut[:-1]])) <= set(clean_line_starts(list(text)))
