import html
import json
import re
from urllib.parse import urljoin

from app.tracing.session import TraceSession


def test_embed_is_the_app_with_minimal_chrome(client):
    page = client.get("/embed?model=tiny&text=ab")
    assert page.status_code == 200
    assert 'data-mode="embed"' in page.text and 'data-testid="diagram-container"' in page.text
    assert "<h1>" not in page.text


def test_pages_advertise_their_oembed(client):
    page = client.get("/?text=ab")
    link = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', page.text).group(1)
    assert client.get(urljoin("http://testserver/?text=ab", html.unescape(link))).json()["type"] == "rich"


def test_pages_address_their_assets_and_routes_beside_themselves(client):
    """Behind an https proxy, or under a path prefix, an address built from the request
    (http://, the server's root) would break the page: every one is relative."""
    for path in ("/?text=ab", "/embed?text=ab&lesson=counter"):
        page = client.get(path, headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "uni.example"}).text
        assert "http://testserver" not in page and "ws://" not in page and "uni.example" not in page
        for address in re.findall(r'(?:src|href)="([^"]*)"', page):
            assert not address.startswith(("/", "http:", "https:")), address


def test_oembed_gives_an_iframe_of_the_embed_with_the_same_view(client):
    body = client.get("/oembed", params={"url": "http://testserver/?model=tiny&text=ab&t=1", "maxwidth": 600}).json()
    assert body["version"] == "1.0" and body["type"] == "rich" and body["width"] == 600
    assert 'src="http://testserver/embed?model=tiny&amp;text=ab&amp;t=1"' in body["html"]


def test_oembed_refuses_other_sites_and_paths(client):
    assert client.get("/oembed", params={"url": "http://evil.example/?x"}).status_code == 404
    assert client.get("/oembed", params={"url": "http://testserver/api/models"}).status_code == 404
    assert client.get("/oembed", params={"url": "javascript:alert(1)"}).status_code == 404


def test_oembed_answers_501_for_a_format_it_does_not_offer(client):
    response = client.get("/oembed", params={"url": "http://testserver/", "format": "xml"})
    assert response.status_code == 501 and response.json()["detail"]["code"] == "format_not_offered"


PUBLIC = "https://lstm.example.edu/course"


def test_oembed_builds_its_iframe_on_the_public_address_not_the_host_header(client_with):
    client = client_with(public_url=PUBLIC)  # asked as http://testserver, an allowed host
    body = client.get("/oembed", params={"url": f"{PUBLIC}/?text=ab"}).json()
    assert f'src="{PUBLIC}/embed?text=ab"' in body["html"] and body["provider_url"] == f"{PUBLIC}/"
    assert "testserver" not in body["html"]
    # a link on the address the request came to is not the public one
    assert client.get("/oembed", params={"url": "http://testserver/?text=ab"}).status_code == 404
    # and a Host the server does not answer for gets nothing built on it
    assert (
        client.get("/oembed", params={"url": "http://evil.example/"}, headers={"Host": "evil.example"}).status_code
        == 400
    )


def test_pages_link_to_the_public_address(client_with):
    page = client_with(public_url=PUBLIC).get("/embed?text=ab").text
    assert 'href="oembed?url=https%3A%2F%2Flstm.example.edu%2Fcourse%2Fembed%3Ftext%3Dab"' in page


def recording_in(page: str) -> dict:
    return json.loads(re.search(r'id="gatescope-recording">(.*?)</script>', page, re.S).group(1))


def test_export_downloads_a_lesson_page(client):
    response = client.get("/api/export", params={"model": "tiny", "text": "ab", "t": 1, "panels": "walkthrough"})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"gatescope-tiny.html\"; filename*=UTF-8''gatescope-tiny.html"
    )
    assert response.headers["x-gatescope-plotly"] == "0"
    assert recording_in(response.text)["query"] == "model=tiny&text=ab&panels=walkthrough&t=1"


def test_export_keeps_a_lessons_view_its_language_and_theme(client):
    response = client.get("/api/export", params={"lesson": "french", "lang": "zh", "theme": "dark", "t": 2})
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"gatescope-french.html\"; filename*=UTF-8''gatescope-french.html"
    )
    assert response.headers["x-gatescope-plotly"] == "1"  # Gradient flow is a chart
    query = recording_in(response.text)["query"]
    for part in ("lang=zh", "theme=dark", "t=2", "compare=long-lag-rnn", "panels=predictions%2Ccompare%2Cgradients"):
        assert part in query


def test_a_recordings_banner_links_to_the_server_it_came_from(client, client_with):
    page = client.get("/api/export", params={"lesson": "counter", "panels": "walkthrough"}).text
    assert 'href="http://testserver/?lesson=counter&amp;panels=walkthrough"' in page
    public = client_with(public_url=PUBLIC).get("/api/export", params={"text": "ab"})
    assert f'href="{PUBLIC}/?text=ab"' in public.text and "testserver" not in public.text
    refused = client.get("/api/export", params={"text": "ab"}, headers={"Host": "evil.example"})
    assert refused.status_code == 400  # a Host the server does not answer for
    assert "127.0.0.1:8000" not in page + public.text


def test_export_errors_are_clear(client):
    assert client.get("/api/export", params={"model": "nope", "text": "ab"}).json()["detail"]["code"] == "unknown_model"
    bad = client.get("/api/export", params={"model": "tiny", "text": "ab", "panels": "bogus"})
    assert bad.status_code == 422 and "bogus" in bad.json()["detail"]["message"]
    whatif = client.get("/api/export", params={"model": "tiny", "text": "ab", "whatif": '{"clamps":[{"vector":"q"}]}'})
    assert whatif.status_code == 422 and whatif.json()["detail"]["code"] == "bad_whatif"
    lesson = client.get("/api/export", params={"lesson": "nope"})
    assert lesson.status_code == 422 and lesson.json()["detail"]["code"] == "bad_export"


def test_the_host_resize_script_is_served(client):
    assert "gatescope:height" in client.get("/static/embed-host.js").text


def test_only_the_embed_may_be_framed_by_other_sites(client):
    def ancestors(path):
        policy = client.get(path).headers["content-security-policy"]
        return next(part for part in policy.split("; ") if part.startswith("frame-ancestors"))

    assert ancestors("/embed?text=ab") == "frame-ancestors *"
    assert ancestors("/") == "frame-ancestors 'self'"
    assert ancestors("/api/models") == "frame-ancestors 'self'"


def test_embed_framing_is_a_setting(client_with):
    client = client_with(embed_frame_ancestors="https://lms.example.edu")
    assert "frame-ancestors https://lms.example.edu" in client.get("/embed").headers["content-security-policy"]


def test_pages_load_the_app_as_one_script_holding_every_module_it_imports(client):
    """One request brings every module (a cold load would otherwise make ~40 round trips)."""
    for path in ("/", "/embed"):
        page = client.get(path).text
        assert re.findall(r'<script type="module" src="([^"]+)">', page) == ["app.js"]
    script = client.get("/app.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    bundled = set(re.findall(r"^/\* (\S+\.js) \*/$", script.text, re.MULTILINE))
    imported, wanted = set(), ["main.js"]
    while wanted:  # follow the import statements from main.js, independently of the bundler
        module = wanted.pop()
        source = client.get(f"/static/js/{module}").text
        folder = module.rsplit("/", 1)[0] + "/" if "/" in module else ""
        wanted += [folder + target for target in re.findall(r'^import .* from "\./([^"]+)";$', source, re.MULTILINE)]
        wanted += re.findall(r'^import .* from "\.\./([^"]+)";$', source, re.MULTILINE)
        imported.add(module)
    assert bundled == imported
    assert not re.search(r"^\s*import\s", script.text, re.MULTILINE)  # nothing left for the browser to fetch


def test_the_page_script_is_revalidated_and_not_sent_again_while_it_is_the_same(client):
    first = client.get("/app.js")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache" and etag.startswith('"')
    again = client.get("/app.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = client.get("/app.js", headers={"If-None-Match": '"an-older-version"'})
    assert other.status_code == 200 and other.text == first.text


def test_pages_carry_the_model_list_so_the_first_trace_need_not_wait_for_it(client):
    page = client.get("/embed?text=hi").text
    inline = re.search(r'<script type="application/json" id="gatescope-models">(.*?)</script>', page).group(1)
    assert json.loads(inline) == client.get("/api/models").json()


def test_an_export_checks_and_traces_its_text_once(client, monkeypatch):
    calls = []
    for method in ("tokenize", "run"):
        original = getattr(TraceSession, method)
        monkeypatch.setattr(
            TraceSession, method, lambda self, *a, _m=method, _o=original: calls.append(_m) or _o(self, *a)
        )
    assert client.get("/api/export", params={"model": "tiny", "text": "ab"}).status_code == 200
    assert calls == ["tokenize", "run"]
