"""How the page draws: at most once per animation frame however fast steps come,
charts that only move their cursor when only the time step moves, and counts kept up to
date step by step that equal a count over the whole trace."""

import httpx2
from playwright.sync_api import expect

# Counts the diagram's redraws (its data-t written) and the animation frames from the first
# draw on (frames while the page loads would leave room for a draw per step).
COUNT_DRAWS_AND_FRAMES = """
window.__draws = 0;
window.__frames = 0;
new MutationObserver((changes) => { window.__draws += changes.length; })
  .observe(document, { subtree: true, attributes: true, attributeFilter: ["data-t"] });
requestAnimationFrame(function frame() { if (window.__draws > 0) window.__frames += 1; requestAnimationFrame(frame); });
"""


def test_a_burst_of_steps_is_drawn_at_most_once_a_frame(page, server_url):
    page.add_init_script(COUNT_DRAWS_AND_FRAMES)
    text = "the clouds are in the sky, " * 8  # 216 steps, sent as fast as the server makes them
    page.goto(f"{server_url}/?text={text}&panels=walkthrough,chain,unit-text")
    expect(page.get_by_test_id("status")).to_have_text(f"{len(text)} steps traced")
    expect(page.get_by_test_id("diagram-container")).to_have_attribute("data-t", str(len(text) - 1))
    draws, frames = page.evaluate("[window.__draws, window.__frames]")
    assert 1 <= draws <= frames + 1  # + 1: the frame of the first draw


def test_moving_through_time_moves_the_heatmaps_cursor_without_redrawing_it(page, server_url):
    page.goto(f"{server_url}/?panels=heatmap")
    page.get_by_test_id("text-input").press_sequentially("the sky", delay=15)
    expect(page.get_by_test_id("status")).to_have_text("7 steps traced")
    heatmap = page.get_by_test_id("heatmap")
    page.wait_for_function("() => document.querySelector('[data-testid=heatmap]').data?.[0]?.x?.length === 7")
    page.wait_for_timeout(600)  # past any redraw still due for the steps (they wait for a pause)
    page.evaluate("""() => {
      window.__reacts = 0;
      const react = Plotly.react;
      Plotly.react = (...args) => { window.__reacts += 1; return react(...args); };
    }""")
    page.get_by_test_id("step-back").click()
    page.get_by_test_id("step-back").click()
    expect(page.get_by_test_id("diagram-container")).to_have_attribute("data-t", "4")
    page.wait_for_function("() => document.querySelector('[data-testid=heatmap]').layout.shapes[0].x0 === 3.5")
    assert heatmap.evaluate("el => el.layout.shapes[0].x1") == 4.5
    assert page.evaluate("window.__reacts") == 0
    page.get_by_test_id("text-input").press_sequentially("!", delay=15)  # a new step: the data is drawn again
    page.wait_for_function("() => document.querySelector('[data-testid=heatmap]').data[0].x.length === 8")
    assert page.evaluate("window.__reacts") >= 1


def test_gate_saturation_counted_step_by_step_equals_a_count_over_the_whole_trace(page, server_url):
    page.goto(f"{server_url}/?panels=saturation")
    box = page.get_by_test_id("text-input")
    text = "I grew up in France. I speak"
    box.press_sequentially(text[:10], delay=15)
    expect(page.get_by_test_id("status")).to_have_text("10 steps traced")
    box.press_sequentially(text[10:], delay=15)  # counted on top of the first ten
    expect(page.get_by_test_id("status")).to_have_text(f"{len(text)} steps traced")
    steps = httpx2.post(f"{server_url}/api/trace", json={"text": text}).json()["steps"]
    expected = []
    for gate in ("f", "i", "o"):
        values = [step["gates"][gate] for step in steps]
        low = [sum(v[u] < 0.1 for v in values) / len(steps) for u in range(len(values[0]))]
        high = [sum(v[u] > 0.9 for v in values) / len(steps) for u in range(len(values[0]))]
        expected.append([f"{gate}ₜ gate", low, high])  # the gate as the article writes it, fₜ
    page.wait_for_function(
        """(expected) => {
      const data = document.querySelector('[data-testid=saturation]').data ?? [];
      const close = (a, b) => a.length === b.length && a.every((v, k) => Math.abs(v - b[k]) < 1e-12);
      return data.length === expected.length &&
        data.every((d, k) => d.name === expected[k][0] && close(d.x, expected[k][1]) && close(d.y, expected[k][2]));
    }""",
        arg=expected,
    )
