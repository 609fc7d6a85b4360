"""The `poetry` task and its bundled model: five- and seven-character verse from the npm
package chinese-poetry, split by poem, and units that hold on poems it never trained on.

The corpus tests read the package as `gatescope train poetry` does (fetched once with npm
into the cache, then checked against its pinned integrity)."""

from pathlib import Path

import numpy as np
import pytest

from app.lessons import LESSONS
from app.models.format import load_model
from app.training.labels import states_by_token
from app.training.tasks.npm_package import NpmPackage, fetch, integrity_of, read_members
from app.training.tasks.simplified import Simplifier, parse_dictionary
from app.training.tasks.verse import END, bucket, lines, meter, split, verse_features, verse_task
from tests.training.test_bundled_labels import strongest_per_feature, unit_r

POETRY = Path(__file__).resolve().parents[2] / "app" / "models" / "bundled" / "poetry.npz"
DENGGUANQUE = next(lesson.text for lesson in LESSONS if lesson.id == "poetry")


@pytest.fixture(scope="module")
def task():
    return verse_task()


@pytest.fixture(scope="module")
def model():
    return load_model(POETRY)


def test_regular_verse_is_five_or_seven_characters_a_line_in_couplets():
    assert meter("白日依山尽，黄河入海流。欲穷千里目，更上一层楼。") == 5
    assert meter("两个黄鹂鸣翠柳，一行白鹭上青天。窗含西岭千秋雪，门泊东吴万里船。") == 7
    assert meter("白日依山尽，黄河入海流。") is None  # one couplet is not a poem here
    assert meter("白日依山尽，黄河入海流欲。欲穷千里目，更上一层楼。") is None  # a six-character line
    assert meter("白日依山尽。黄河入海流，欲穷千里目，更上一层楼。") is None  # the marks out of place


def test_each_characters_features_by_hand():
    chars = list("白日依山尽，黄河入海流。")
    features = verse_features(chars)
    assert features["position in line"] == [1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0]
    assert features["end of line"] == [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0]
    # the "，" opens the second line (what the model must hold to write "。" after it)
    assert features["second line of couplet"] == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0]
    assert features["seven-character verse"] == [0.0] * 12
    assert set(verse_features(list("两个黄鹂鸣翠柳，"))["seven-character verse"]) == {1.0}


def test_the_split_holds_famous_poems_out_and_every_line_of_a_held_out_poem():
    famous = ["白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"]
    shares_a_line = "白日依山尽，青山入海流。欲穷千里目，更上一层山。"
    others = [f"{c}日依山尽，黄河入海流。江{c}千里目，更上一层台。" for c in "一二三四五六七八九十百千万"]
    corpus = split([*others, shares_a_line, *famous], famous)
    assert famous[0] in corpus.test and famous[0] not in corpus.train
    assert shares_a_line not in corpus.train  # it shares "白日依山尽" with a held-out poem
    held_lines = {line for poem in corpus.test + corpus.validation for line in lines(poem)}
    assert not any(held_lines & set(lines(poem)) for poem in corpus.train)
    assert all(bucket(p) == 1 for p in corpus.validation) and bucket(famous[0]) in range(20)


def test_traditional_characters_become_simplified_phrases_first():
    phrases = parse_dictionary('export default "乾坤 乾坤|乾乾淨淨 干干净净"')
    characters = parse_dictionary('export default "乾 干 乾|淨 净|頭 头|髮 发"')
    simplified = Simplifier(phrases, characters)
    assert simplified("乾坤頭髮乾了") == "乾坤头发干了"
    assert simplified("乾乾淨淨") == "干干净净"


def test_a_package_is_refused_unless_its_bytes_are_the_pinned_ones(tmp_path):
    tarball = tmp_path / "fake-1.0.0.tgz"
    tarball.write_bytes(b"not the package")
    with pytest.raises(SystemExit, match="not fake@1.0.0 as pinned"):
        fetch(NpmPackage("fake", "1.0.0", "sha512-wrong", "none"), tmp_path)
    pinned = NpmPackage("fake", "1.0.0", integrity_of(tarball), "none")
    assert fetch(pinned, tmp_path) == tarball  # in the cache, as pinned: npm is not asked again


def test_the_package_licence_is_mit_as_recorded(task):
    from app.training.tasks.verse import POETRY as PACKAGE

    licence = read_members(fetch(PACKAGE), lambda name: name == "package/LICENSE")["package/LICENSE"].decode()
    assert licence.strip().startswith("The MIT License") and "JackeyGao" in licence
    assert "MIT" in PACKAGE.licence and "JackeyGao" in PACKAGE.licence


def test_no_held_out_line_was_trained_on_and_the_lesson_poem_is_held_out(task):
    corpus = task.corpus
    assert DENGGUANQUE in corpus.famous and DENGGUANQUE in corpus.test
    held_lines = {line for poem in corpus.test + corpus.validation for line in lines(poem)}
    assert not any(held_lines.intersection(lines(poem)) for poem in corpus.train)
    assert len(corpus.train) > 50_000 and len(corpus.test) > 3_000


def test_the_model_records_where_its_data_came_from(model):
    info = model.info
    assert info["task"] == "poetry" and "chinese-poetry@2.0.1" in info["data"] and "MIT" in info["data"]
    assert info["command"].startswith("gatescope train poetry") and info["training"]["epochs"] is not None
    assert "唐" in info["description_zh"] and {u["feature_zh"] for u in info["units"]}


def test_a_chinese_verse_sentence_is_read_with_no_unk(model):
    tokens = model.tokenizer.encode(DENGGUANQUE)
    assert len(tokens) == len(DENGGUANQUE) and not any(token.unk for token in tokens)
    assert not any(token.unk for token in model.tokenizer.encode("床前明月光，疑是地上霜。举头望明月，低头思故乡。"))


def test_the_model_ends_a_held_out_line_with_its_mark(model):
    """After the fifth character of each line of the lesson's poem (held out), the most
    probable next character is the mark that ends the line; after the last, the end."""
    ids = np.array([token.id for token in model.tokenizer.encode(DENGGUANQUE)])
    records, _ = model.forward(ids, model.zero_state())
    probabilities = model.next_token_probabilities(np.stack([record.h for record in records[-1]]))
    vocab = model.tokenizer.vocab
    guesses = [vocab[int(np.argmax(p))] for p in probabilities]
    assert [guesses[k] for k in (4, 10, 16, 22)] == ["，", "。", "，", "。"]
    assert guesses[23] == END


def test_each_labelled_unit_holds_on_other_held_out_poems(model, task):
    """The labels were found on 100 held-out poems (draw seed 0); measured again on 300
    others, each feature's strongest unit keeps its sign and strength."""
    assert task.tokenizer.vocab == model.tokenizer.vocab
    poems = [poem for seed in (1, 2, 3) for poem in task.label_samples(100, seed)]
    per_poem = [verse_features(poem) for poem in poems]
    features = {name: np.concatenate([np.asarray(f[name], float) for f in per_poem]) for name in per_poem[0]}
    states = states_by_token(model, poems)
    best = strongest_per_feature(model.info["units"])
    assert {"position in line", "end of line", "second line of couplet"} <= {label["feature"] for label in best}
    for label in best:
        r = unit_r(states, features, label)
        assert np.sign(r) == np.sign(label["r"]) and abs(r) >= 0.6 and abs(r - label["r"]) < 0.1, (label, r)
        assert abs(label["r"]) - label["untrained_r"] >= 0.2
