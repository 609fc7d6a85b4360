"""The guided walk, as a student takes it: a first visit opens on a trained model with an
invitation (taken or declined once, never in an embed or an exported file); the whole walk,
in both languages, on a phone and a wide screen, answering every question, each beat's
view taking effect (model, step, stage, unit, panels) and its question revealing what the
model does."""

import re
from urllib.parse import parse_qs

import httpx2
import pytest
from playwright.sync_api import expect

from app.models.registry import ModelRegistry
from app.settings import Settings
from app.ui import served_contract
from app.walk import load_words
from tests.e2e.test_accessibility import axe  # noqa: F401 (a fixture)
from tests.e2e.test_exports import save_export

REGISTRY = ModelRegistry()
CONTRACT = served_contract(Settings(), REGISTRY.summaries())  # what `gatescope serve` puts in its pages
BEATS = CONTRACT["walk"]
WORDS = {language: load_words(Settings().static_dir, language) for language in ("en", "zh")}


def plain(text: str) -> str:
    """A text as the page shows it, scripts (h_t, C_{t−1}) set as <sub> and <sup>."""
    return re.sub(r"[_^]\{([^}]*)\}|[_^](\S)", lambda m: (m.group(1) or m.group(2)).replace("-", "−"), text)


def at_beat(k: int):
    return re.compile(f"[?&]walk={k}(&|$)")


def view_of(query: str) -> dict:
    return {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}


def expect_view(page, view: dict):
    """The page shows `view`: its model, step, unit, panels and stage."""
    by_id = page.get_by_test_id
    expect(by_id("model-select")).to_have_value(view["model"])
    steps = len(REGISTRY.get(view["model"]).tokenizer.encode(view["text"]))
    expect(by_id("token")).to_have_count(steps)
    t = int(view["t"]) if view.get("t") else steps - 1
    expect(by_id("position")).to_contain_text(f"t = {t}")
    expect(by_id("token").nth(t)).to_have_attribute("aria-current", "step")
    if "unit" in view:
        expect(by_id("unit-input")).to_have_value(view["unit"])
    panels = view["panels"].split(",")
    for panel in panels:
        expect(by_id(f"toggle-{panel}")).to_have_attribute("aria-pressed", "true")
    if view.get("stage") and "walkthrough" in panels:
        expect(by_id(f"stage-{view['stage']}")).to_have_attribute("aria-pressed", "true")
    compared = [view["compare"]] if "compare" in panels and view.get("compare") else []
    for name in compared:  # the second model has read the whole text too
        expect(by_id("compare-select")).to_have_value(name)
        expect(by_id("compare-status")).to_contain_text(str(len(REGISTRY.get(name).tokenizer.encode(view["text"]))))
    if "gradients" in panels:
        expect(by_id("gradients")).to_have_attribute("data-models", ",".join([view["model"], *compared]))


@pytest.mark.parametrize(
    ("language", "width", "theme"),
    [("en", 1440, "light"), ("zh", 1440, "dark"), ("en", 375, "dark"), ("zh", 375, "light")],
)
def test_the_whole_walk_answering_every_question(page, server_url, screenshot, language, width, theme):
    page.set_viewport_size({"width": width, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    words = WORDS[language]
    by_id = page.get_by_test_id
    page.goto(f"{server_url}/?walk=1&lang={language}&theme={theme}")
    for k, beat in enumerate(BEATS, start=1):
        said = words["beats"][beat["id"]]
        expect(by_id("walk-progress")).to_have_text(words["ui"]["progress"].format(k=k, n=len(BEATS)))
        expect(by_id("walk-title")).to_have_text(plain(said["title"]))
        expect(by_id("walk-text")).to_contain_text(plain(said["text"][0]))
        view = view_of(beat["query"])
        expect_view(page, view)
        expect(page).to_have_url(at_beat(k))  # a link to this beat
        if beat["highlight"]:  # lit on the diagram, the rest dimmed, until a stage is chosen
            diagram = page.get_by_test_id("diagram")
            expect(diagram).to_have_class(re.compile(r"\bstaged\b"))
            for part in beat["highlight"]["parts"]:
                expect(diagram.locator(f'[data-part~="{part}"]').first).to_have_class(re.compile(r"\blit\b"))
            expect(diagram.locator("[data-part].lit")).to_have_count(len(beat["highlight"]["parts"]))
        if beat["question"]:
            expect(by_id("walk-feedback")).to_be_hidden()
            expect(by_id("walk-after")).to_be_hidden()
            answer = beat["question"]["answer"] if k % 2 else (beat["question"]["answer"] + 1) % 2
            by_id(f"walk-choice-{answer}").click()  # right on odd beats, wrong on even ones
            right = answer == beat["question"]["answer"]
            expect(by_id("walk-feedback")).to_have_attribute("data-right", str(right).lower())
            expect(by_id("walk-after")).to_be_visible()
            expect(by_id(f"walk-choice-{beat['question']['answer']}")).to_have_class(re.compile(r"\bright\b"))
            expect_view(page, {**view, **view_of(beat["question"]["reveal"])})
        screenshot(f"walk-{language}-{width}-{theme}-{k}-{beat['id']}")
        if k < len(BEATS):
            by_id("walk-next").click()
    expect(by_id("walk-next")).to_have_text(words["ui"]["finish"])
    by_id("walk-next").click()
    expect(by_id("walk")).to_be_hidden()
    expect(page).not_to_have_url(re.compile("walk="))
    assert errors == []


def test_back_returns_to_the_answered_beat_and_a_beat_link_opens_it(page, server_url):
    k = next(k for k, beat in enumerate(BEATS, start=1) if beat["id"] == "forget")
    beat = BEATS[k - 1]
    page.goto(f"{server_url}/?walk={k}")
    page.get_by_test_id(f"walk-choice-{beat['question']['answer']}").click()
    revealed = {**view_of(beat["query"]), **view_of(beat["question"]["reveal"])}
    expect_view(page, revealed)
    page.get_by_test_id("walk-next").click()
    expect_view(page, view_of(BEATS[k]["query"]))
    page.get_by_test_id("walk-back").click()
    expect_view(page, revealed)  # answered before: shown as revealed, the answer kept
    expect(page.get_by_test_id("walk-feedback")).to_have_attribute("data-right", "true")
    page.get_by_test_id("walk-leave").click()
    expect(page.get_by_test_id("walk")).to_be_hidden()
    expect_view(page, revealed)  # leaving keeps the view
    expect(page).not_to_have_url(re.compile("walk="))
    page.goto(page.url)  # whose address reopens it
    expect_view(page, revealed)
    expect(page.get_by_test_id("walk")).to_be_hidden()


def test_a_first_visit_opens_a_trained_model_and_invites_once(page, browser, server_url, screenshot):
    home = view_of(CONTRACT["home"])
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(server_url)
    expect(page.get_by_test_id("model-select")).to_have_value(home["model"])
    expect(page.get_by_test_id("untrained-badge")).to_be_hidden()
    expect(page.get_by_test_id("text-input")).to_have_value(home["text"])
    expect(page.locator('[data-testid="predictions"] [data-testid="prediction"]').first).to_contain_text("french")
    steps = len(REGISTRY.get(home["model"]).tokenizer.encode(home["text"]))
    expect(page.get_by_test_id("status")).to_contain_text(str(steps))
    expect(page.get_by_test_id("walk-invite")).to_be_visible()
    expect(page.get_by_test_id("walk-invite")).to_contain_text(f"{len(BEATS)} short steps")
    screenshot("walk-invitation")
    page.get_by_test_id("walk-skip").click()
    expect(page.get_by_test_id("walk")).to_be_hidden()
    page.reload()
    expect(page.get_by_test_id("model-select")).to_have_value(home["model"])  # still the trained model
    expect(page.get_by_test_id("status")).to_contain_text(str(steps))
    expect(page.get_by_test_id("walk")).to_be_hidden()  # declined: not asked again
    page.get_by_test_id("walk-open").click()  # but the header still offers the walk
    expect(page.get_by_test_id("walk-progress")).to_have_text(f"1 of {len(BEATS)}")
    expect_view(page, view_of(BEATS[0]["query"]))

    context = browser.new_context(locale="zh-CN")  # another student, in Chinese, takes it
    page = context.new_page()
    page.goto(server_url)
    page.get_by_test_id("walk-start").click()
    expect(page.get_by_test_id("walk-title")).to_have_text(plain(WORDS["zh"]["beats"][BEATS[0]["id"]]["title"]))
    expect(page).to_have_url(at_beat(1))
    page.goto(server_url)
    expect(page.get_by_test_id("model-select")).to_have_value(home["model"])
    expect(page.get_by_test_id("walk")).to_be_hidden()  # taken: not asked again
    context.close()


def test_no_invitation_in_an_embed_an_exported_file_or_a_link_to_a_view(page, server_url, tmp_path):
    page.goto(f"{server_url}/embed")
    expect(page.get_by_test_id("model-select")).to_have_value(view_of(CONTRACT["home"])["model"])
    expect(page.get_by_test_id("status")).to_contain_text("9")
    expect(page.get_by_test_id("walk")).to_be_hidden()
    page.goto(f"{server_url}/?lesson=counter")
    expect(page.get_by_test_id("status")).to_contain_text("9")
    expect(page.get_by_test_id("walk")).to_be_hidden()
    page.goto(save_export(server_url, tmp_path, model="counter", text="(()"))
    expect(page.get_by_test_id("token")).to_have_count(3)
    expect(page.get_by_test_id("walk")).to_be_hidden()


def test_a_beat_embeds_with_its_words_and_moves_on_inside_the_frame(page, server_url):
    k = next(k for k, beat in enumerate(BEATS, start=1) if beat["id"] == "counter")
    page.goto(f"{server_url}/embed?walk={k}&lang=zh")
    expect(page.get_by_test_id("walk-title")).to_have_text(plain(WORDS["zh"]["beats"]["counter"]["title"]))
    expect_view(page, view_of(BEATS[k - 1]["query"]))
    page.get_by_test_id("walk-next").click()
    expect_view(page, view_of(BEATS[k]["query"]))
    assert httpx2.get(f"{server_url}/static/walk/zh.json").json() == WORDS["zh"]


@pytest.mark.parametrize(("query", "theme"), [("", "light"), ("?walk=2", "dark"), ("?walk=4&lang=zh", "light")])
def test_the_walk_has_no_serious_accessibility_violations(page, server_url, axe, query, theme):  # noqa: F811
    """The whole page with the card beside it (whose narrower column makes the chain scroll)."""
    page.goto(f"{server_url}/{query}{'&' if query else '?'}theme={theme}")
    expect(page.get_by_test_id("walk-invite" if not query else "walk-question")).to_be_visible()
    if query:  # answered: the feedback, the revealed view and the disabled choices too
        page.get_by_test_id("walk-choice-0").click()
        expect(page.get_by_test_id("walk-feedback")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_attribute("data-state", "traced")
    serious = [v for v in axe() if v[1] in ("serious", "critical")]
    assert serious == [], serious


def test_every_beats_card_has_no_serious_accessibility_violations(page, server_url, axe):  # noqa: F811
    """The card itself, on every beat, answered, in Chinese and dark (the page around some
    beats has violations of its own: the agreement lesson's dark text colours)."""
    page.goto(f"{server_url}/?walk=1&lang=zh&theme=dark")
    scan = "async () => (await axe.run('[data-testid=walk]', {resultTypes: ['violations']})).violations"
    for k, beat in enumerate(BEATS, start=1):
        expect(page.get_by_test_id("walk-progress")).to_have_text(f"{k} / {len(BEATS)}")
        if beat["question"]:
            page.get_by_test_id("walk-choice-1").click()
            expect(page.get_by_test_id("walk-feedback")).to_be_visible()
        axe()  # loads axe-core into the page
        serious = [
            (v["id"], v["nodes"][0]["target"]) for v in page.evaluate(scan) if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], (beat["id"], serious)
        if k < len(BEATS):
            page.get_by_test_id("walk-next").click()
