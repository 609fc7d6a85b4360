"""What a model file says to a student in Simplified Chinese: its description and its
labelled features, kept in the file's `info` beside the English (`description_zh`, and
`feature_zh` on each label; docs/model-files.md). The page shows them on a Chinese page.

One table for every task the project trains, and the untrained demos' sentence, so a
retrained model gets them again (`gatescope train` and `gatescope label` write them).
`python -m app.models.chinese FILE...` writes them into existing files: only `info`
changes, every weight is saved as it was.

Terms (the page's glossary, static/js/glossary.js, shows them beside the article's):
细胞状态 for the cell state, 门 for a gate, 神经元 for a hidden unit (the article's
translation uses 单元 for the cell, so a unit is never called 单元 here), 词元 for a token.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from app.models.format import load_model, save_model
from app.models.model import Model

DESCRIPTIONS = {  # task -> description_zh
    "counter": (
        "一个只有 3 个神经元的 LSTM，匹配括号：每读一个括号，只要还有括号没闭合就预测 ')'，全部闭合时预测 '.'。"
        "其中一个神经元在细胞状态上数着括号的深度：看 C 在 '(' 处升高，在 ')' 处降低。"
    ),
    "agreement": (
        "词级的一致关系，即文章里的例子：传送带记住主语的性别和单复数，越过从句里的其他名词，"
        "使动词（was/were）和代词（he/she/they）与它一致；一遇到新的主语（在句子中间，或在句号之后），"
        "遗忘门就丢掉旧的主语。训练时预测每一个下一个词。"
    ),
    "long-lag": (
        "文章中的长期依赖：'I grew up in France . <N 个填充词> . I speak fluent' → 'French'。"
        "训练时间隔为 0 到 60 个词，大多很短；训练它在 'fluent' 之后猜语言，"
        "并在其余 6% 的词之后猜下一个词。"
    ),
    "code": (
        "在 Python 标准库源码上训练的字符级 LSTM：逐字符阅读代码，预测下一个字符。"
        "找一找跟踪字符串、括号深度和缩进的神经元。"
    ),
    "prose": (
        "在简·奥斯汀的六部小说上训练的字符级 LSTM：阅读英文散文，预测下一个字符。"
        "找一找跟踪对话的神经元：是否在引号之内。"
    ),
    "variants": (
        "文章第 6 节的变体之一，与其他变体训练方式完全相同：在 Python 标准库源码上训练的字符级模型，"
        "参数个数、数据、种子和训练轮数都与其他 variants 模型一样。打开“比较”面板，并排查看它们在留出数据上的损失曲线。"
    ),
    "poetry": (
        "在唐宋近体诗（五言、七言，简体字）上训练的字符级 LSTM：逐字阅读一首诗，预测下一个字。"
        "找一找数着句中第几字、知道自己在一联上句还是下句的神经元。"
    ),
}

FEATURES = {  # task -> {feature: feature_zh}
    "counter": {"bracket depth": "括号深度"},
    "agreement": {
        "subject gender (he +1, she −1)": "主语的性别（he 为 +1，she 为 −1）",
        "subject plural": "主语为复数",
    },
    "code": {
        "inside a string": "在单行字符串内",
        "inside a triple-quoted string": "在三引号字符串内",
        "bracket depth": "括号深度",
        "indentation": "缩进",
        "position in line": "行内位置",
    },
    "prose": {
        "inside quotes": "在引号内",
        "position in line": "行内位置",
        "position in word": "词内位置",
        "after a space": "空格之后",
        "start of sentence": "句子开头",
    },
    "poetry": {
        "position in line": "句中第几字",
        "end of line": "句末的字",
        "second line of couplet": "一联的下句",
        "seven-character verse": "七言（而非五言）",
    },
}

CELL_NAMES = {  # cell -> its name in the sentences below (the page's own picker: static/js/i18n/zh.js)
    "rnn": "普通 RNN",
    "lstm": "LSTM",
    "peephole": "带窥视孔连接的 LSTM",
    "cifg": "遗忘门与输入门耦合的 LSTM",
    "gru": "GRU",
    "dglstm": "深度门控 LSTM",
    "cwrnn": "时钟 RNN",
}


def untrained_description(cell: str, layers: int, hidden: int, seed: int) -> str:
    return (
        f"未训练：一个字符级的{CELL_NAMES[cell]}（{layers} 层 × {hidden} 个神经元），权重随机（种子 {seed}）。"
        "它真的在计算，只是什么也没学过，所以它的猜测只是噪声。"
    )


def chinese_info(info: dict, model: Model | None = None) -> dict:
    """`info` with description_zh and each label's feature_zh, where the table knows them
    (by the task the file records; an untrained model by its cell and size)."""
    task = info.get("task", "")  # "": a model made by no task (imported, untrained)
    if task in DESCRIPTIONS:
        info = {**info, "description_zh": DESCRIPTIONS[task]}
    elif model is not None and not model.trained and "seed" in info:
        info = {
            **info,
            "description_zh": untrained_description(model.cell.name, model.num_layers, model.hidden_size, info["seed"]),
        }
    if info.get("units"):
        info["units"] = chinese_features(task, info["units"])
    return info


def chinese_features(task: str, units: list[dict]) -> list[dict]:
    """Each labelled unit with its feature_zh, where the task's table knows the feature."""
    names = FEATURES.get(task, {})
    return [{**unit, "feature_zh": names[unit["feature"]]} if unit.get("feature") in names else unit for unit in units]


def write_chinese(path: Path) -> Model:
    """Rewrite the file at `path` with the Chinese of its info; weights untouched."""
    model = load_model(path)
    translated = dataclasses.replace(model, info=chinese_info(model.info, model))
    save_model(translated, path)
    return translated


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the Chinese description and labels into model files' info.")
    parser.add_argument("files", nargs="+", type=Path)
    for path in parser.parse_args(argv).files:
        model = write_chinese(path)
        print(f"{path}: {'description_zh' if 'description_zh' in model.info else 'no description_zh (task unknown)'}")


if __name__ == "__main__":
    main()
