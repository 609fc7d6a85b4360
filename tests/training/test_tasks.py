import pytest

from app.training.tasks import TASKS
from app.training.tasks.counter import COUNTER, depths


@pytest.mark.parametrize("name", sorted(TASKS))
def test_samples_are_seeded_and_use_only_the_vocabulary(name):
    task = TASKS[name]
    first, again = task.draw(20, seed=3), task.draw(20, seed=3)
    assert first == again and first != task.draw(20, seed=4)
    for sample in first:
        ids, targets = task.encode(sample)  # raises on a token outside the vocabulary
        assert any(t >= 0 for t in targets)
        assert task.tokenizer.encode(task.text(sample))[0].unk is False


def test_counter_asks_for_a_close_while_a_bracket_is_open():
    for sample in COUNTER.draw(50, seed=0):
        text = "".join(token for token, _ in sample)
        assert min(depths(text)) >= 0 and max(depths(text)) <= COUNTER.max_depth
        for (_, target), depth in zip(sample, depths(text)):
            assert target == (")" if depth > 0 else ".")
