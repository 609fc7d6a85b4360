"""An instructor's course page: two lesson views made with Share…, embedded on another
site, driven by postMessage once they say they are ready, followed by the state they
report; and every link and snippet opened fresh shows exactly the view that was shared."""

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.live_server import static_site

# The view as a student sees it: read from the page itself, never from its address.
SHOWN = """() => {
  const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
  const shown = (el) => Boolean(el) && !el.hidden;
  const walkthrough = document.querySelector('[data-panel="walkthrough"]');
  const pressed = document.querySelector('[data-stage][aria-pressed="true"]');
  return {
    panels: [...document.querySelectorAll('[data-panel]')].filter(shown).map((el) => el.dataset.panel).sort(),
    model: $('model-select').value,
    compare: shown(document.querySelector('[data-panel="compare"]')) ? $('compare-select').value : null,
    text: $('text-input').value,
    steps: $('tokens').children.length,
    t: Number($('diagram-container').dataset.t),
    unit: Number($('unit-input').value),
    stage: shown(walkthrough) && pressed ? Number(pressed.dataset.stage) : null,
    lang: document.documentElement.lang,
    theme: document.documentElement.dataset.theme,
    traced: $('status').dataset.state === 'traced',
  };
}"""


def expect_view(target, expected: dict, timeout: float = 20_000) -> None:
    """Wait until the page or frame shows `expected` (a trace comes in over time)."""
    try:
        target.wait_for_function(
            f"(expected) => JSON.stringify(({SHOWN})()) === JSON.stringify(expected)", arg=expected, timeout=timeout
        )
    except PlaywrightTimeout:
        assert target.evaluate(SHOWN) == expected  # (fails, with the difference)


def share(page, server_url, lesson, act, choose):
    """Open a lesson in the app, act on it as the instructor, choose in the embed builder;
    the view shown (with the builder's language and theme), the link and the snippet."""
    page.goto(f"{server_url}/?lesson={lesson}")
    expect(page.get_by_test_id("status")).to_have_attribute("data-state", "traced")
    act(page)
    page.get_by_test_id("share").click()
    expect(page.get_by_test_id("share-dialog")).to_be_visible()
    shown = page.evaluate(SHOWN)
    choose(page)
    link = page.get_by_test_id("share-link").input_value()
    snippet = page.get_by_test_id("embed-code").input_value()
    page.get_by_test_id("close-share").click()
    assert f"lesson={lesson}" in link and f"lesson={lesson}" in snippet  # a lesson link stays a lesson link
    return shown, link, snippet


def act_on_french(page):
    page.get_by_test_id("token").nth(5).click()
    page.get_by_test_id("unit-input").fill("3")
    page.get_by_test_id("unit-input").press("Enter")
    page.get_by_test_id("toggle-chain").click()
    expect(page.locator('[data-panel="chain"]')).to_be_visible()


def choose_for_french(page):
    page.get_by_test_id("builder-theme").select_option("dark")
    page.get_by_test_id("builder-lang").select_option("zh")
    page.get_by_test_id("builder-hide-examples").check()
    page.get_by_test_id("builder-height").fill("900")


def act_on_counter(page):
    page.get_by_test_id("token").nth(3).click()
    page.get_by_test_id("stage-2").click()
    expect(page.get_by_test_id("stage-2")).to_have_attribute("aria-pressed", "true")


def choose_for_counter(page):
    page.get_by_test_id("builder-lang").select_option("en")
    page.get_by_test_id("builder-panel-inspector").uncheck()
    page.get_by_test_id("builder-hide-input").check()


COURSE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Week 3: LSTMs</title></head><body>
<h1>Week 3: LSTMs</h1>
<script>
  // What the embeds say, in order, by the iframe they come from.
  window.received = [];
  addEventListener("message", (e) => {
    const frames = [...document.querySelectorAll("iframe")];
    received.push({ frame: frames.findIndex((f) => f.contentWindow === e.source), data: e.data });
  });
  // Commands sent as soon as each iframe loads, before the embed has a trace.
  document.addEventListener("load", (e) => {
    if (e.target.tagName !== "IFRAME") return;
    const frames = [...document.querySelectorAll("iframe")];
    const at_load = [{ type: "gatescope:select-unit", unit: 1 }, { type: "gatescope:seek", t: 2 }];
    e.target.contentWindow.postMessage(at_load[frames.indexOf(e.target)], "*");
  }, true);
</script>
<h2>France … French</h2>
FIRST
<h2>Counting brackets</h2>
SECOND
<script>
  // Sent through embed-host.js before either embed has even loaded: it waits for ready.
  gatescope.send(document.querySelectorAll("iframe")[1], { type: "gatescope:select-unit", unit: 1 });
  // What the embeds say, as embed-host.js passes it on: events on each iframe.
  window.events = [];
  document.querySelectorAll("iframe").forEach((frame, k) => {
    for (const type of ["gatescope:ready", "gatescope:state"]) {
      frame.addEventListener(type, (e) => events.push({ frame: k, type, detail: e.detail }));
    }
  });
</script>
</body></html>"""


def received(page, frame: int, kind: str) -> list[dict]:
    return page.evaluate(
        "([frame, kind]) => received.filter((m) => m.frame === frame && m.data?.type === kind).map((m) => m.data)",
        [frame, kind],
    )


def wait_for_state(page, frame: int, **wanted) -> None:
    """Until the latest state embed `frame` reported has the wanted values."""
    page.wait_for_function(
        """([frame, wanted]) => {
            const states = received.filter((m) => m.frame === frame && m.data?.type === 'gatescope:state');
            const last = states.at(-1)?.data;
            return Boolean(last) && Object.entries(wanted).every(([k, v]) => last[k] === v);
        }""",
        arg=[frame, wanted],
    )


def test_a_course_page_of_two_lesson_embeds_is_driven_and_every_shared_view_reopens_exactly(
    page, browser, server_url, tmp_path
):
    french, french_link, french_snippet = share(page, server_url, "french", act_on_french, choose_for_french)
    counter, counter_link, counter_snippet = share(page, server_url, "counter", act_on_counter, choose_for_counter)
    assert french["panels"] == ["chain", "compare", "gradients", "predictions"] and french["t"] == 5
    assert counter["stage"] == 2 and counter["t"] == 3
    french = {**french, "lang": "zh-Hans", "theme": "dark"}  # the builder's choices
    counter = {**counter, "panels": [p for p in counter["panels"] if p != "inspector"]}

    # Every link, opened in a fresh browser, shows exactly that view.
    for link, expected in ((french_link, french), (counter_link, counter)):
        context = browser.new_context()
        fresh = context.new_page()
        fresh.goto(link)
        expect_view(fresh, expected)
        context.close()

    course = COURSE_PAGE.replace("FIRST", french_snippet).replace("SECOND", counter_snippet)
    with static_site(tmp_path, {"course.html": course}) as site:
        # The snippets, fresh too, on a screen tall enough to show both: Chromium pauses a
        # cross-origin iframe's drawing while it is off screen (it draws when scrolled back).
        context = browser.new_context(viewport={"width": 1280, "height": 2600})
        course_page = context.new_page()
        course_page.goto(f"{site}/course.html")
        for frame in course_page.locator("iframe").all():  # (lazy iframes load as they come into view)
            frame.scroll_into_view_if_needed()
        course_page.wait_for_function(
            "() => [0, 1].every((f) => received.some((m) => m.frame === f && m.data?.type === 'gatescope:ready'))"
        )
        french_frame, counter_frame = course_page.frames[1], course_page.frames[2]
        # The commands sent at the iframes' load were kept and run once ready.
        expect_view(french_frame, {**french, "unit": 1})
        expect_view(counter_frame, {**counter, "t": 2, "unit": 1})
        wait_for_state(course_page, 0, t=5, unit=1, stage=0)
        wait_for_state(course_page, 1, t=2, unit=1, stage=2)
        # The embeds resized themselves to their content.
        heights = course_page.evaluate("[...document.querySelectorAll('iframe')].map((f) => f.offsetHeight)")
        assert all(height > 600 for height in heights), heights

        # Driven after ready; the state follows.
        course_page.evaluate("""() => {
            const [french, counter] = [...document.querySelectorAll('iframe')].map((f) => f.contentWindow);
            french.postMessage({ type: 'gatescope:seek', t: 9 }, '*');
            counter.postMessage({ type: 'gatescope:select-unit', unit: 0 }, '*');
            counter.postMessage({ type: 'gatescope:seek', t: 6 }, '*');
        }""")
        wait_for_state(course_page, 0, t=9, unit=1)
        wait_for_state(course_page, 1, t=6, unit=0, stage=2)
        expect_view(french_frame, {**french, "unit": 1, "t": 9})
        expect_view(counter_frame, {**counter, "t": 6, "unit": 0})
        states = received(course_page, 1, "gatescope:state")
        assert len(states) == len({(s["t"], s["unit"], s["stage"]) for s in states})  # each state told once
        events = course_page.evaluate("events")
        assert {e["frame"] for e in events if e["type"] == "gatescope:ready"} == {0, 1}
        passed_on = [e["detail"] for e in events if e["frame"] == 1 and e["type"] == "gatescope:state"]
        assert passed_on == [{k: s[k] for k in ("t", "unit", "stage")} for s in states]
        context.close()


def test_a_lessons_panels_survive_a_reload(page, server_url):
    page.goto(f"{server_url}/?lesson=french")
    panels = page.locator("[data-panel]:not([hidden])")
    names = "els => els.map((el) => el.dataset.panel).sort()"
    expect(page.get_by_test_id("status")).to_have_attribute("data-state", "traced")
    assert panels.evaluate_all(names) == ["compare", "gradients", "predictions"]
    page.reload()
    expect(page.get_by_test_id("status")).to_have_attribute("data-state", "traced")
    assert panels.evaluate_all(names) == ["compare", "gradients", "predictions"]
    page.get_by_test_id("toggle-gradients").click()
    page.get_by_test_id("toggle-chain").click()
    expect(page).to_have_url(f"{server_url}/?lesson=french&panels=predictions%2Ccompare%2Cchain")
    page.reload()
    expect(page.locator('[data-panel="chain"]')).to_be_visible()
    assert panels.evaluate_all(names) == ["chain", "compare", "predictions"]


def test_a_burst_of_set_text_from_a_host_becomes_a_few_traces(page, server_url, tmp_path):
    course = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Flood</title></head><body>
<iframe src="{server_url}/embed?text=ab&panels=walkthrough" title="view" width="800" height="600"></iframe>
<script>
  window.ready = false;
  addEventListener("message", (e) => {{ if (e.data?.type === "gatescope:ready") ready = true; }});
</script></body></html>"""
    starts = []
    page.on(
        "websocket", lambda ws: ws.on("framesent", lambda frame: starts.append(frame) if '"start"' in str(frame) else 0)
    )
    with static_site(tmp_path, {"flood.html": course}) as site:
        page.goto(f"{site}/flood.html")
        page.wait_for_function("() => ready")
        view = page.frame_locator("iframe")
        expect(view.get_by_test_id("status")).to_have_text("2 steps traced")
        before = len(starts)
        page.evaluate("""() => {
            const w = document.querySelector('iframe').contentWindow;
            for (let k = 0; k < 3000; k++) w.postMessage({ type: 'gatescope:set-text', text: `burst ${k}` }, '*');
        }""")
        expect(view.get_by_test_id("text-input")).to_have_value("burst 2999")
        expect(view.get_by_test_id("status")).to_have_text("10 steps traced")
        traces = len(starts) - before
        assert 1 <= traces <= 10, traces  # the latest text wins: a few traces, not 3,000


def test_a_bad_whatif_link_shows_its_error_and_offers_to_clear_it(page, server_url):
    page.goto(f'{server_url}/?text=ab&whatif={{"clamps":[{{"vector":"zz","value":1,"unit":0,"start":0}}]}}')
    expect(page.get_by_test_id("error")).to_contain_text("no vector 'zz'")
    expect(page.get_by_test_id("status")).to_have_text("not traced")  # not "connecting…" for ever
    clear = page.get_by_test_id("clear-whatif")
    expect(clear).to_be_visible()
    clear.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("status")).to_have_text("2 steps traced")
    expect(page.get_by_test_id("error-line")).to_be_hidden()
    expect(page).to_have_url(f"{server_url}/?text=ab")
    page.get_by_test_id("text-input").press_sequentially("c")
    expect(page.get_by_test_id("status")).to_have_text("3 steps traced")


def test_an_error_that_is_not_the_links_whatif_offers_nothing_to_clear(page, server_url):
    page.goto(f"{server_url}/?text=ab")
    expect(page.get_by_test_id("status")).to_have_text("2 steps traced")
    page.get_by_test_id("text-input").fill("a\u0001b")  # a control character: refused, with no what-if to blame
    expect(page.get_by_test_id("error")).to_be_visible()
    expect(page.get_by_test_id("clear-whatif")).to_be_hidden()
