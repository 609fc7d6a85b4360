"""The lessons: each bundled model opened on the article's section it teaches.

A lesson is data: its model (and a model to compare with), a text, the panels to show,
and the labelled features whose unit it selects. The unit is never written here: it is
looked up in the model's labels (those /api/models lists), so a retrained model, whose
units land elsewhere, still opens on the right one. A lesson whose model (or compare
model) is not installed, or cannot be loaded, is not offered. Titles live in the
page's strings tables (static/js/i18n, key `lesson_<id>`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

CLOUDS = "the clouds are in the sky"
DENGGUANQUE = "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"  # 王之涣《登鹳雀楼》


@dataclass(frozen=True)
class Lesson:
    id: str
    section: str  # the article's section, e.g. "5.1": §5 (the walk-through), step 1
    model: str
    text: str
    panels: tuple[str, ...]
    compare: str | None = None
    features: tuple[str, ...] = ()  # labelled features that pick the unit, best first (matched as substrings)
    vectors: tuple[str, ...] = ()  # the label's vector must be one of these (e.g. the belt C); () = any
    stage: int | None = None  # a step of the walk-through to open on (lights that part of the diagram)
    t: int | None = None  # the time step to open on (a token of `text`); None: the last


LESSONS: tuple[Lesson, ...] = (
    Lesson("chain", "1", "rnn-demo", CLOUDS, ("chain", "predictions")),
    # §2 as the article tells it: a short gap both bridge ("the clouds are in the sky"), then
    # a long one only the LSTM bridges. The article's frame and these filler phrases are
    # among the long-lag task's held-out parts: the models never trained on these sentences.
    Lesson(
        "french",
        "2",
        "long-lag-lstm",
        "I grew up in France . we drank coffee . I speak fluent",
        ("predictions", "compare", "gradients"),
        compare="long-lag-rnn",
    ),
    Lesson(
        "longgap",
        "2",
        "long-lag-lstm",
        "I grew up in France . we took the bus every day , my friends read many books at night . "
        "my brother sang songs , we worked hard . the children sang songs on sunday , "
        "we played by the river at night . I speak fluent",
        ("predictions", "compare", "gradients"),
        compare="long-lag-rnn",
    ),
    Lesson(
        "code",
        "4",
        "code",
        "def area(shape):\n    if shape.kind == 'circle':\n        return 3.14 * (shape.r ** 2)\n",
        ("predictions", "unit-text", "chain"),
        features=("inside a string", "bracket depth", "indentation"),
    ),
    Lesson(
        "prose",
        "4",
        "prose",
        '"I cannot agree with you, papa; you know I cannot." She smiled, and said nothing more.',
        ("predictions", "unit-text", "chain"),
        features=("inside quotes",),
    ),
    Lesson(
        "poetry",
        "4",
        "poetry",
        DENGGUANQUE,
        ("predictions", "unit-text", "chain"),
        features=("position in line",),
    ),  # a poem of 唐诗三百首: held out of training whole, with every line of it
    Lesson(
        "counter",
        "5",
        "counter",
        "(()(()))(",
        ("walkthrough", "predictions", "unit-text", "inspector"),
        features=("bracket depth",),
    ),
    Lesson(
        "agreement",
        "5.1",
        "agreement",
        "the king , who met the girls , was tired and the queen was happy , so",
        ("walkthrough", "predictions", "unit-text", "chain"),
        features=("subject gender",),
        vectors=("c", "tanh_c"),
        stage=0,
        t=11,
    ),  # t = 11 is the "the" of a new subject in mid-sentence, no full stop before it: the gender unit's forget gate shuts
    Lesson(
        "variants",
        "6",
        "variants-lstm",
        "def area(r):\n    return 3.14 * r ** 2\n",
        ("compare", "predictions"),
        compare="variants-gru",
    ),  # every cell trained alike (app/training/tasks/variants.py); the loss curves show under Compare
    Lesson("peephole", "6", "peephole-demo", CLOUDS, ("walkthrough", "predictions")),
    Lesson("coupled", "6", "cifg-demo", CLOUDS, ("walkthrough", "predictions")),
    Lesson("gru", "6", "gru-article-demo", CLOUDS, ("chain", "compare"), compare="gru-demo"),
    Lesson("depth", "6", "dglstm-demo", CLOUDS, ("walkthrough", "chain")),
    Lesson("clockwork", "6", "cwrnn-demo", CLOUDS, ("chain", "heatmap")),
)


def labelled_unit(features: tuple[str, ...], labels: list[dict], vectors: tuple[str, ...] = ()) -> dict | None:
    """The label of the first feature any label matches (case-insensitive substring; of
    one of `vectors`, if given), its strongest unit (largest |r|) if several; None when
    no label matches."""
    labels = [label for label in labels if not vectors or label.get("vector") in vectors]
    for wanted in features:
        matches = [label for label in labels if wanted.lower() in str(label.get("feature", "")).lower()]
        if matches:
            return max(matches, key=lambda label: abs(label.get("r", 0.0)))
    return None


def lesson_view(lesson: Lesson, summary: dict) -> dict:
    """A lesson as the page and /api/lessons give it: its URL properties (the `query`
    the page starts from) with the unit resolved from the model's labels."""
    label = labelled_unit(lesson.features, summary.get("units") or [], lesson.vectors)
    properties = {
        "model": lesson.model,
        "compare": lesson.compare,
        "text": lesson.text,
        "panels": ",".join(lesson.panels),
        "stage": lesson.stage,
        "t": lesson.t,
    }
    if label is not None:
        properties["unit"] = label["unit"]
        properties["vector"] = label.get("vector")
        if summary.get("layers", 1) > 1:
            properties["layer"] = label.get("layer", 0)
    return {
        "id": lesson.id,
        "section": lesson.section,
        "model": lesson.model,
        "compare": lesson.compare,
        "trained": bool(summary.get("trained")),
        "features": list(lesson.features),
        "label": label,
        "query": urlencode({k: v for k, v in properties.items() if v is not None}),
    }


def available_lessons(summaries: list[dict]) -> list[dict]:
    """The lessons whose models are all here and load (by the registry's `summaries()`,
    which the caller has read already), in the table's order."""
    usable = {summary["name"]: summary for summary in summaries if not summary.get("error")}
    return [
        lesson_view(lesson, usable[lesson.model])
        for lesson in LESSONS
        if lesson.model in usable and (lesson.compare is None or lesson.compare in usable)
    ]
