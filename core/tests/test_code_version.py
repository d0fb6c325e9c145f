"""A page's ETag names the code that made it: a release that changes any source file (a view, a template, a
catalog, a lab's declaration) renames every page, so no browser keeps the old one with a 304."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from core.documents import code_version, source_files

LESSON = reverse("lesson", args=["test-course", "gradients"])


@pytest.fixture
def fresh_version():
    code_version.cache_clear()
    yield
    code_version.cache_clear()


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of the project's source files, as another machine has them."""
    root = Path(django_settings.BASE_DIR)
    for name in source_files():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / name, tmp_path / name)
    return tmp_path


def etag(client) -> str:
    code_version.cache_clear()
    response = client.get(LESSON, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response["ETag"]


class CodeVersionTests:
    def test_it_reads_every_source_file_and_nothing_installed_or_made_at_run_time(self):
        found = source_files()
        for name in (
            "lessons/views.py",
            "trainer/api.py",
            "trainer/catalog/rnn.py",
            "templates/base.html",
            "locale/zh_Hans/LC_MESSAGES/django.mo",
            "static/js/reader.js",
        ):
            assert name in found
        assert not [name for name in found if name.startswith((".", "node_modules/", "var/")) or "/." in name]
        assert not [name for name in found if "__pycache__" in name or name.endswith(".pyc")]

    @pytest.mark.django_db
    def test_a_change_to_any_view_module_renames_every_page(
        self, client, course, fresh_version, tree, settings
    ):
        settings.BASE_DIR = tree
        names = [name for name in source_files() if name.endswith(("views.py", "api.py"))]
        assert "lessons/views.py" in names and len(names) >= 8
        first = etag(client)
        seen = {first}
        for name in names:
            original = (tree / name).read_bytes()
            (tree / name).write_bytes(original + b"\n# the next release\n")
            seen.add(etag(client))
            (tree / name).write_bytes(original)
        assert len(seen) == len(names) + 1
        assert etag(client) == first  # the same files, the same name: every machine agrees

    @pytest.mark.django_db
    def test_the_same_files_on_another_machine_give_the_same_name(
        self, client, course, fresh_version, tree, settings
    ):
        here = etag(client)
        settings.BASE_DIR = tree
        assert etag(client) == here
        (tree / "var").mkdir()
        (tree / "var" / "db.sqlite3").write_bytes(b"runtime data")  # made at run time: not source
        assert etag(client) == here
