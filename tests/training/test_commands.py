"""`gatescope train` and `gatescope evaluate`, end to end on the smallest task."""

import numpy as np
import pytest

from app.cli import main
from app.models.format import load_model


def test_train_writes_a_trained_model_that_records_how_it_was_made(tmp_path, capsys):
    path = tmp_path / "counter.npz"
    assert main(["train", "counter", "--epochs", "3", "--seed", "1", "-o", str(path)]) == 0
    model = load_model(path)
    assert model.trained and model.cell.name == "lstm" and model.hidden_size == 3
    assert "brackets" in model.description
    info = model.info
    assert info["task"] == "counter" and info["seed"] == 1 and "bracket strings" in info["data"]
    assert info["command"] == f"gatescope train counter --epochs 3 --seed 1 -o {path}"
    assert info["metrics"]["test"]["accuracy"] > 0.9
    assert "accuracy" in capsys.readouterr().out


def test_evaluate_prints_the_task_metric_of_a_model_file(tmp_path, capsys):
    path = tmp_path / "counter.npz"
    main(["train", "counter", "--epochs", "1", "-o", str(path)])
    capsys.readouterr()
    assert main(["evaluate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "task counter" in out and "accuracy" in out


def test_train_text_learns_a_char_model_of_a_file(tmp_path, capsys):
    text = tmp_path / "abc.txt"
    text.write_text("abcabcabd " * 400, encoding="utf-8")
    path = tmp_path / "abc.npz"
    assert (
        main(
            [
                "train",
                "text",
                str(text),
                "--hidden",
                "8",
                "--batch",
                "4",
                "--epochs",
                "10",
                "--lr",
                "0.01",
                "-o",
                str(path),
            ]
        )
        == 0
    )
    model = load_model(path)
    assert model.tokenizer.kind == "char" and set(model.tokenizer.vocab) == {"<unk>", "a", "b", "c", "d", " "}
    assert model.info["metrics"]["validation"]["bits_per_token"] < 1.5  # 2.6 bits for 6 equally likely chars
    capsys.readouterr()
    assert main(["evaluate", str(path), "text", str(text)]) == 0
    assert "bits per char" in capsys.readouterr().out
    assert main(["evaluate", str(path), str(text)]) == 0  # a bare FILE is a text too
    assert "bits per char" in capsys.readouterr().out


@pytest.mark.parametrize("flags,cell,options", [
    (["--cell", "peephole", "--peepholes", "f,o"], "peephole", {"peepholes": ["f", "o"]}),
    (["--cell", "cifg"], "cifg", {}),
    (["--cell", "gru", "--gru-variant", "article"], "gru", {"gru_variant": "article"}),
    (["--cell", "dglstm", "--layers", "2"], "dglstm", {}),
    (["--cell", "cwrnn", "--hidden", "4", "--periods", "1,2"], "cwrnn", {"periods": [1, 2]}),
])  # fmt: skip
def test_train_any_cell_with_its_options(tmp_path, capsys, flags, cell, options):
    path = tmp_path / "m.npz"
    assert main(["train", "counter", "--epochs", "1", *flags, "-o", str(path)]) == 0
    model = load_model(path)
    assert model.cell.name == cell and model.trained
    assert {key: model.cell_options[key] for key in options} == options  # as the app reads the file
    assert model.info["training"]["cell_options"] == options


@pytest.mark.parametrize("flags,message", [
    (["--cell", "lstm", "--periods", "1,2"], "takes no options"),
    (["--cell", "cwrnn", "--hidden", "3", "--periods", "1,2"], "equal modules"),
    (["--cell", "cwrnn", "--periods", "1,two"], "whole numbers"),
    (["--cell", "peephole", "--peepholes", "f,x"], "peepholes must be among"),
    (["--cell", "gru", "--forget-decay", "0.1"], "forget gate; gru has none"),
])  # fmt: skip
def test_train_refuses_options_the_cell_cannot_use(tmp_path, flags, message):
    with pytest.raises(SystemExit, match=message):
        main(["train", "counter", "--epochs", "1", *flags, "-o", str(tmp_path / "m.npz")])


def test_train_init_goes_on_from_a_trained_models_weights(tmp_path):
    first, second = tmp_path / "first.npz", tmp_path / "second.npz"
    assert main(["train", "counter", "--epochs", "2", "-o", str(first)]) == 0
    assert main(["train", "counter", "--init", str(first), "--epochs", "1", "--lr", "1e-9", "-o", str(second)]) == 0
    before, after = load_model(first), load_model(second)
    for layer_before, layer_after in zip(before.layers, after.layers, strict=True):
        for name in ("weight_ih", "weight_hh"):
            assert np.allclose(
                getattr(layer_before, name), getattr(layer_after, name), atol=1e-6
            )  # a step of 1e-9 moves nothing
    assert after.info["init"]["command"] == before.info["command"]
    fresh = tmp_path / "fresh.npz"
    main(["train", "counter", "--epochs", "1", "--lr", "1e-9", "-o", str(fresh)])
    assert not np.allclose(load_model(fresh).layers[0].weight_hh, before.layers[0].weight_hh, atol=1e-3)


def test_train_init_refuses_a_model_of_another_vocabulary(tmp_path):
    path = tmp_path / "counter.npz"
    main(["train", "counter", "--epochs", "1", "-o", str(path)])
    with pytest.raises(SystemExit, match="vocabulary"):
        main(["train", "agreement", "--init", str(path), "--epochs", "1", "-o", str(tmp_path / "x.npz")])


def test_per_file_is_only_for_the_code_task(tmp_path):
    with pytest.raises(SystemExit, match="code task"):
        main(["train", "counter", "--per-file", "--epochs", "1", "-o", str(tmp_path / "x.npz")])


def test_train_prose_reads_the_novels_and_records_their_source(tmp_path, monkeypatch, capsys):
    from app.training.tasks import prose
    from tests.training.test_rdata import FIXTURES

    monkeypatch.setattr(prose, "RDATA", FIXTURES / "Rdata-xz.rdb")  # an Austen-like fixture R wrote
    path = tmp_path / "prose.npz"
    assert (
        main(
            [
                "train",
                "prose",
                "--hidden",
                "8",
                "--batch",
                "2",
                "--epochs",
                "1",
                "--forget-decay",
                "0.01",
                "-o",
                str(path),
            ]
        )
        == 0
    )
    model = load_model(path)
    info = model.info
    assert info["task"] == "prose" and "r-cran-janeaustenr" in info["data"] and "public domain" in info["data"]
    assert info["training"]["forget_decay"] == 0.01 and "units" in info
    assert "Jane Austen" in model.description and info["metrics"]["held_out"]["bits_per_token"] > 0
    assert "bits per char" in capsys.readouterr().out


def test_train_prose_without_the_package_says_how_to_install_it(tmp_path, monkeypatch):
    from app.training.tasks import prose

    monkeypatch.setattr(prose, "RDATA", tmp_path / "missing.rdb")
    with pytest.raises(SystemExit, match="apt-get install r-cran-janeaustenr"):
        main(["train", "prose", "-o", str(tmp_path / "prose.npz")])
