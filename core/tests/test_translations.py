"""Every user-visible string is translatable and both catalogs (zh-hans, en) are complete."""

import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def entries(path: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for each entry of a .po file, the header left out."""
    text = path.read_text(encoding="utf-8")
    found = []
    for block in re.split(r"\n\s*\n", text):
        if block.lstrip().startswith("#~"):
            continue
        strings: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            head = re.match(r'^(msgid|msgid_plural|msgstr(?:\[0\])?) "(.*)"$', line)
            if head:
                current = head[1].replace("[0]", "")
                strings[current] = head[2]
            elif line.startswith('"') and current:
                strings[current] += line[1:-1]
        if strings.get("msgid"):
            found.append((strings["msgid"], strings.get("msgstr", ""), "#, fuzzy" in block))
    return found


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_string_is_translated(language, domain):
    catalog = entries(LOCALE / language / "LC_MESSAGES" / f"{domain}.po")
    assert len(catalog) > (300 if domain == "django" else 40)
    missing = [msgid for msgid, msgstr, fuzzy in catalog if not msgstr or fuzzy]
    assert missing == []
    assert (LOCALE / language / "LC_MESSAGES" / f"{domain}.mo").exists()


@pytest.mark.django_db
def test_the_interface_speaks_chinese(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "课程" in html and "登录" in html and "概念图谱" in html
    assert "gettext" in client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


@pytest.mark.django_db
def test_the_scripts_catalog_is_a_document_per_language(client):
    chinese = client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="en")
    assert chinese["ETag"] != english["ETag"] and chinese["Cache-Control"] == "public, no-cache"
    again = client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_IF_NONE_MATCH=chinese["ETag"])
    assert again.status_code == 304 and not again.content
