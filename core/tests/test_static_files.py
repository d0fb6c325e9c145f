"""Static files as production serves them, and as `make run` and `make test` do: hashed names, cached for good,
a gzip copy made once by collectstatic; and every static file a template names exists."""

import gzip
import re
from pathlib import Path

import httpx
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

ROOT = Path(settings.BASE_DIR)
NAMED = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]\s*%}""")


def hashed_url(name: str) -> str:
    url = staticfiles_storage.url(name)
    stem, suffix = name.rsplit(".", 1)
    assert re.fullmatch(rf"/static/{re.escape(stem)}\.[0-9a-f]{{12}}\.{suffix}", url), (
        f"{url}: the suite serves as `make run` does; run it with `python -m config.launch test`"
    )
    return url


class StaticFilesTests:
    def test_a_hashed_name_is_served_for_good_with_a_gzip_copy(self, asgi_server):
        url = hashed_url("css/base.css")
        collected = (Path(settings.STATIC_ROOT) / url.removeprefix("/static/")).read_bytes()
        with httpx.stream("GET", asgi_server.url + url, headers={"Accept-Encoding": "gzip"}) as response:
            body = b"".join(response.iter_raw())
        assert response.status_code == 200 and response.headers["content-encoding"] == "gzip"
        assert gzip.decompress(body) == collected and len(body) < len(collected) / 2
        cache = response.headers["cache-control"]
        assert "immutable" in cache and int(re.search(r"max-age=(\d+)", cache)[1]) >= 365 * 24 * 3600
        assert "Accept-Encoding" in response.headers["vary"]

        plain = httpx.get(asgi_server.url + url, headers={"Accept-Encoding": "identity"})
        assert plain.content == collected and "content-encoding" not in plain.headers

    def test_a_name_without_its_hash_is_kept_only_briefly(self, asgi_server):
        response = httpx.get(f"{asgi_server.url}/static/css/base.css")
        assert response.status_code == 200 and "immutable" not in response.headers["cache-control"]

    def test_the_pages_name_the_hashed_files(self, client, course):
        html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert hashed_url("css/base.css") in html and hashed_url("js/base.js") in html

    def test_every_static_file_a_template_names_exists(self):
        """Under hashed names a missing file is a 500 on the page that names it, not a broken link."""
        named = {
            (template.relative_to(ROOT), name)
            for template in sorted((ROOT / "templates").rglob("*.html"))
            for name in NAMED.findall(template.read_text())
        }
        assert len(named) > 10  # the pattern finds what the templates name
        missing = [f"{template}: {name}" for template, name in named if not finders.find(name)]
        assert not missing
        for _template, name in named:
            hashed_url(name)  # in the manifest collectstatic wrote
