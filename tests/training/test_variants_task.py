"""The `variants` task: one parameter budget for every cell, the test part held apart from
validation, and the training choices the comparison needs (the forget gate's starting
bias, the partner Compare shows), as `gatescope train` records them."""

import numpy as np
import pytest

from app.cli import build_parser, main
from app.models.format import load_model
from app.training.batches import Batch
from app.training.budget import trainable_parameters
from app.training.commands import TRAINER_FORGET_BIAS, shape_for, starting_point
from app.training.network import IGNORE
from app.training.tasks import get_task
from app.training.tasks.text import VALIDATION_TOKENS
from app.training.tasks.variants import variants_task, without_sparse_tail

CELLS = [  # the command-line flags of every variant the comparison trains
    ["--cell", "rnn"],
    ["--cell", "lstm"],
    ["--cell", "peephole"],
    ["--cell", "cifg"],
    ["--cell", "gru"],
    ["--cell", "gru", "--gru-variant", "article"],
    ["--cell", "dglstm", "--layers", "2"],
    ["--cell", "lstm", "--layers", "2"],
    ["--cell", "cwrnn"],
]


def parsed(*flags: str):
    return build_parser().parse_args(["train", *flags, "-o", "unused.npz"])


@pytest.fixture(scope="module")
def task():
    return variants_task()


def test_every_cell_gets_the_same_parameter_budget_within_two_percent(task):
    budget = task.budget
    assert budget == trainable_parameters(shape_for(task, parsed("variants", "--cell", "lstm")))
    sizes = {}
    for flags in CELLS:
        shape = shape_for(task, parsed("variants", *flags))
        assert abs(trainable_parameters(shape) - budget) < 0.02 * budget, flags
        sizes[" ".join(flags)] = shape.hidden
    assert sizes["--cell rnn"] > sizes["--cell gru"] > sizes["--cell lstm"] > sizes["--cell dglstm --layers 2"]
    assert shape_for(task, parsed("variants", "--cell", "rnn", "--hidden", "10")).hidden == 10  # --hidden still rules


def test_a_depth_gated_lstm_needs_a_layer_below(task):
    with pytest.raises(SystemExit, match="--layers 2"):
        shape_for(task, parsed("variants", "--cell", "dglstm"))


def test_the_test_characters_are_not_the_ones_validated_on(task):
    data = task.data(32, 0)
    validated = sum(int((batch.targets != IGNORE).sum()) for batch in data.validation)
    assert validated < VALIDATION_TOKENS <= len(task.held_out) - len(task.test_tokens())
    assert len(task.test_tokens()) > 400_000  # the rest of the 31 held-out files
    assert len(task.documents) > 300  # the training files (and pieces of long ones), each from a zero state


def window(marked: int, width: int = 4) -> Batch:
    targets = np.full((2, width), IGNORE)
    targets.flat[:marked] = 1
    return Batch(np.zeros((2, width), np.int64), targets, carry_state=True)


def test_only_the_sparse_windows_at_the_very_end_are_left_out():
    full, sparse = window(8), window(2)
    windows = [full, sparse, full, sparse, sparse]
    assert list(without_sparse_tail(windows)) == windows[:3]  # the middle one carries state on: kept
    assert list(without_sparse_tail([full, full])) == [full, full]


def forget_biases(args):
    shape, params, _ = starting_point(get_task("counter"), args)
    return shape, params["rnn.bias_ih_l0"][shape.cell_type.rows("f", shape.hidden)]


@pytest.mark.parametrize("cell", ["lstm", "peephole", "cifg"])
def test_forget_bias_sets_where_the_forget_gate_starts(cell):
    shape, default = forget_biases(parsed("counter", "--cell", cell, "--hidden", "16"))
    _, zero = forget_biases(parsed("counter", "--cell", cell, "--hidden", "16", "--forget-bias", "0"))
    bound = 1 / np.sqrt(shape.hidden)  # each bias is drawn from U(±1/√H), then moved
    assert np.all(np.abs(default - TRAINER_FORGET_BIAS) <= bound)  # the trainer's own start is +1 ...
    np.testing.assert_allclose(default - zero, TRAINER_FORGET_BIAS, atol=1e-6)  # ... and --forget-bias 0 is +0
    assert np.all(np.abs(zero) <= bound)


def test_forget_bias_is_refused_where_it_cannot_apply(tmp_path):
    with pytest.raises(SystemExit, match="forget gate; gru has none"):
        starting_point(get_task("counter"), parsed("counter", "--cell", "gru", "--forget-bias", "0"))
    first = tmp_path / "first.npz"
    main(["train", "counter", "--epochs", "1", "-o", str(first)])
    with pytest.raises(SystemExit, match="fresh weights"):
        main(
            [
                "train",
                "counter",
                "--init",
                str(first),
                "--forget-bias",
                "0",
                "--epochs",
                "1",
                "-o",
                str(tmp_path / "x.npz"),
            ]
        )


def test_the_model_file_records_its_budget_bias_partner_and_curve(tmp_path):
    path = tmp_path / "m.npz"
    flags = ["--epochs", "1", "--forget-bias", "0", "--compare-with", "counter", "-o", str(path)]
    assert main(["train", "counter", *flags]) == 0
    info = load_model(path).info
    training = info["training"]
    assert training["forget_bias"] == 0.0 and info["compare_with"] == "counter"
    assert training["parameters"] == trainable_parameters(shape_for(get_task("counter"), parsed("counter")))
    curve = info["metrics"]["validation_curve"]
    assert curve[0]["batches"] == 0 and curve[-1]["epoch"] == 1.0
    assert info["metrics"]["validation"]["accuracy"] == max(point["accuracy"] for point in curve)
    with pytest.raises(SystemExit, match="model's name"):
        main(["train", "counter", "--epochs", "1", "--compare-with", "../x", "-o", str(tmp_path / "y.npz")])
