"""The `prose` task on a small Austen-like fixture written by R (no Debian package needed)."""

import numpy as np
import pytest

from app.training import metrics, network
from app.training.batches import document_batches, sequence_batch
from app.training.network import IGNORE, Shape
from app.training.tasks.prose import paragraph_starts, paragraphs, prose_features, prose_task, read_books, split_book
from tests.training.test_rdata import FIXTURES


@pytest.fixture(scope="module")
def task():
    return prose_task(FIXTURES / "Rdata.rdb")


def features_of(text):
    values = prose_features(list(text))
    return {name: dict(enumerate(column)) for name, column in values.items()}


def test_dialogue_is_inside_quotes_from_its_opening_quote_to_its_closing_one():
    text = 'He said, "Come in." She did.\n\n"Yes,\nmadam.\n\n"No'
    inside = features_of(text)["inside quotes"]
    assert "".join(text[k] for k in inside if inside[k]) == '"Come in."' + '"Yes,\nmadam.\n' + '"No'
    assert (
        inside[text.rindex("\n\n")] == 1 and inside[text.rindex("\n\n") + 1] == 0
    )  # a quoted paragraph ends at the blank line


def test_positions_in_line_and_word_and_after_a_space():
    text = "Mr. Knightley's\nfriend"
    values = features_of(text)
    k = text.index("K")
    assert values["position in line"][k] == 5 and values["position in line"][text.index("\n")] == 0
    assert (
        values["position in word"][k] == 1 and values["position in word"][text.index("s")] == 11
    )  # the apostrophe is in the word
    assert (
        values["position in word"][text.index(".")] == 0
        and values["after a space"][k - 1] == 1
        and values["after a space"][k] == 0
    )


def test_a_sentence_starts_after_its_full_stop_until_its_first_letter_but_not_after_mr():
    text = 'Mr. Weston came. "Oh!" she said'
    start = features_of(text)["start of sentence"]
    assert "".join(text[k] for k in start if start[k]) == "M" + '. "O' + '!" s'


def test_each_book_is_cut_at_a_paragraph_start_near_its_last_tenth():
    text = "".join(f"Paragraph {k} is here.\n\n" for k in range(30))
    train, held = split_book(text)
    assert train + held == text and held.startswith("Paragraph 27") and train.endswith("\n\n")
    assert paragraph_starts("A\nb\n\nC\n\n\nD").tolist() == [0, 5, 9]


def test_the_task_reads_the_fixture_and_records_source_and_licence(task):
    assert task.name == "prose" and task.recipe.hidden == 128 and task.recipe.epochs == 4
    assert (
        "Emma" in task.source
        and "Persuasion" in task.source
        and "public domain" in task.source
        and "r-cran-janeaustenr" in task.source
    )
    assert task.tokenizer.vocab[0] == "<unk>" and "£" not in task.tokenizer.vocab  # rarer than 5 times: <unk>
    held_out = "".join(split_book(text)[1] for text in read_books(FIXTURES / "Rdata.rdb").values())
    assert held_out.startswith('"Especially when _one_') and held_out.endswith(
        "£ é\n"
    )  # the last paragraph of each book
    assert [task.tokenizer.vocab[i] for i in task.held_out] == [
        c if c in task.tokenizer.vocab else "<unk>" for c in held_out
    ]


def test_without_the_package_training_says_how_to_install_it(tmp_path):
    with pytest.raises(SystemExit, match="apt-get install r-cran-janeaustenr"):
        prose_task(tmp_path / "Rdata.rdb")


def test_label_samples_start_at_held_out_paragraph_starts(task):
    samples = task.label_samples(2, seed=0, length=20)
    index = {token: i for i, token in enumerate(task.tokenizer.vocab)}
    for sample in samples:
        ids = [index[token] for token in sample]
        start = next(k for k in range(len(task.held_out)) if task.held_out[k : k + 20].tolist() == ids)
        assert start in task.held_starts and prose_features(sample)["inside quotes"][0] == float(sample[0] == '"')


def test_paragraphs_are_each_read_from_a_zero_state():
    """Each paragraph's loss through the windows (reset where it starts) equals the loss of
    that paragraph read alone from a zero state, and every token is predicted once."""
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, 6, 60)
    starts = np.array([0, 7, 30, 33, 51])
    shape = Shape("lstm", vocab=6, hidden=4)
    params = network.init_params(shape, seed=1)
    windows = list(
        document_batches(paragraphs(tokens, starts), batch=2, window=5, pad_id=0, rng=np.random.default_rng(3))
    )
    assert sum(int((w.targets != IGNORE).sum()) for w in windows) == len(tokens) - 1
    ends = [*starts[1:], len(tokens) - 1]
    alone = [sequence_batch([(tokens[s:e], tokens[s + 1 : e + 1])], pad_id=0) for s, e in zip(starts, ends)]
    expected = metrics.evaluate(shape, params, alone)
    got = metrics.evaluate(shape, params, windows)
    assert got.count == expected.count and got.loss == pytest.approx(expected.loss, rel=1e-5)


def test_resetting_zeroes_only_the_marked_streams():
    shape = Shape("lstm", vocab=3, hidden=2)
    states = [(np.ones((3, 2), np.float32), np.full((3, 2), 2, np.float32))]
    batch = sequence_batch([([1], [2])] * 3, 0)
    marked = type(batch)(batch.ids, batch.targets, carry_state=True, reset=np.array([False, True, False]))
    ((c, h),) = network.window_states(shape, marked, states)
    assert c.tolist() == [[1, 1], [0, 0], [1, 1]] and h.tolist() == [[2, 2], [0, 0], [2, 2]]
    assert c.dtype == h.dtype == np.float32
    assert states[0][0][1].tolist() == [1, 1]  # the carried state itself is not changed
    unmarked = type(batch)(batch.ids, batch.targets, carry_state=True, reset=np.array([False] * 3))
    assert network.window_states(shape, unmarked, states) is states  # carried on as it is
    first = type(batch)(batch.ids, batch.targets, carry_state=False, reset=None)
    assert not any(part.any() for part in network.window_states(shape, first, states)[0])  # a new start: zero


def test_resetting_a_clockwork_rnn_sets_back_its_clock_too():
    """Its state is (h (B, H), clock (B,)): each part is reset along the batch axis."""
    shape = Shape("cwrnn", vocab=3, hidden=2, options={"periods": [1, 2]})
    zero_h, zero_clock = network.zero_states(shape, 3)[0]
    states = [(np.ones((3, 2), np.float32), zero_clock + 5)]
    batch = sequence_batch([([1], [2])] * 3, 0)
    marked = type(batch)(batch.ids, batch.targets, carry_state=True, reset=np.array([False, True, False]))
    ((h, clock),) = network.window_states(shape, marked, states)
    assert h.tolist() == [[1, 1], zero_h[1].tolist(), [1, 1]]
    assert clock.shape == (3,) and clock.tolist() == [5 + zero_clock[0], zero_clock[1], 5 + zero_clock[2]]
