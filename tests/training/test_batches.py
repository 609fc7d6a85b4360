import numpy as np

from app.training.batches import sequence_batch, stream_batches
from app.training.network import IGNORE


def test_stream_windows_carry_on_where_the_last_one_ended():
    tokens = np.arange(101)
    windows = list(stream_batches(tokens, batch=4, window=10))
    assert [w.carry_state for w in windows] == [False, True, True]
    whole = np.concatenate([w.ids for w in windows])  # (25, 4): stream b is tokens[25b : 25b+25]
    assert (whole[:, 1] == np.arange(25, 50)).all()
    targets = np.concatenate([w.targets for w in windows])
    assert (targets == whole + 1).all()  # each position predicts the next token


def test_sequences_are_padded_and_padding_carries_no_target():
    batch = sequence_batch([([1, 2, 3], [IGNORE, IGNORE, 5]), ([4], [6])], pad_id=0)
    assert batch.ids.tolist() == [[1, 4], [2, 0], [3, 0]]
    assert batch.targets.tolist() == [[IGNORE, 6], [IGNORE, IGNORE], [5, IGNORE]]
    assert not batch.carry_state
