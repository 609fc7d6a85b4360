import ast
import json
from pathlib import Path

import pytest

from app.cli import main
from app.models.format import save_model
from app.training import commands
from tests.helpers import CELL_NAMES, bundled_names, tiny_model


def test_trace_prints_one_row_per_token(capsys):
    assert main(["trace", "lstm-demo", "I grew"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "untrained" in out[0]
    rows = out[2:]
    assert len(rows) == 6 and rows[0].split()[:2] == ["0", "'I'"]


def test_trace_json_is_the_api_shape(capsys):
    assert main(["trace", "lstm-demo", "ab", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["meta"]["model"] == "lstm-demo"
    assert [s["token"] for s in body["steps"]] == ["a", "b"]


def test_trace_reads_a_model_file_by_path(tmp_path, capsys):
    save_model(tiny_model(), tmp_path / "mine.npz")
    assert main(["trace", str(tmp_path / "mine.npz"), "abc", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["meta"]["hidden_size"] == 5


def test_an_unknown_model_is_one_clear_line_and_exit_code_2(capsys):
    assert main(["trace", "nope", "abc"]) == 2
    assert (
        capsys.readouterr().err.strip() == f"gatescope: unknown model 'nope'; available: {', '.join(bundled_names())}"
    )


def test_a_broken_model_file_is_one_clear_line(tmp_path, capsys):
    (tmp_path / "bad.npz").write_bytes(b"junk")
    assert main(["trace", str(tmp_path / "bad.npz"), "abc"]) == 2
    assert "not a readable .npz" in capsys.readouterr().err


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_trace_prints_every_cell_as_a_table_and_as_json(tmp_path, capsys, cell):
    save_model(tiny_model(cell=cell, layers=2), tmp_path / "m.npz")
    assert main(["trace", str(tmp_path / "m.npz"), "abc"]) == 0
    out = capsys.readouterr().out.splitlines()
    header = out[1].split()
    assert header[:2] == ["t", "token"] and "h" in header
    assert len(out) == 5 and out[2].split()[:2] == ["0", "'a'"]
    assert main(["trace", str(tmp_path / "m.npz"), "abc", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["meta"]["cell"] == cell and len(body["steps"]) == 3


def test_the_command_line_refuses_what_the_api_refuses(capsys):
    assert main(["trace", "lstm-demo", "a\x01b"]) == 2
    assert "the control character U+0001 at position 1" in capsys.readouterr().err
    assert main(["export", "lstm-demo", "ab", "-o", "never.html", "--panels", "bogus"]) == 2
    assert "unknown panel(s) bogus" in capsys.readouterr().err


@pytest.fixture
def users_folder(tmp_path, monkeypatch):
    """GATESCOPE_MODELS pointing at an empty folder, for this test only."""
    from app.settings import get_settings

    monkeypatch.setenv("GATESCOPE_MODELS", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_every_command_finds_a_users_model_by_name_as_the_app_does(users_folder, capsys):
    save_model(tiny_model(hidden=3), users_folder / "lstm-demo.npz")  # named like a bundled model
    save_model(tiny_model(hidden=4), users_folder / "my model.npz")
    (users_folder / "text.txt").write_text("i grew up in france", encoding="utf-8")
    assert main(["trace", "user/lstm-demo", "ab", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["meta"]["hidden_size"] == 3
    assert main(["trace", "my model", "ab", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["meta"]["hidden_size"] == 4
    assert main(["evaluate", "my model", str(users_folder / "text.txt")]) == 0
    assert "my model: LSTM, H = 4, task text" in capsys.readouterr().out


def test_training_does_not_import_the_command_line_nor_parse_arguments():
    """One way round: the CLI parses and calls app.training.commands, which imports neither
    app.cli (not even inside a function) nor argparse's parser building."""
    source = Path(commands.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert "app.cli" not in imported and "add_parser" not in source and "add_argument" not in source
