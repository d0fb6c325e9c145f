"""A staff author's edit, as they make it: signed in to the admin of one web node, the lesson's change form
read and sent back with a new title."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import httpx

from .rehearsal import PASSWORD, Cluster


class Form(HTMLParser):
    """The fields a browser would send for the form with id `form_id` (the admin's pages have a logout form
    too), as (name, value) pairs."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.fields: list[tuple[str, str]] = []
        self.inside = self.done = False
        self.textarea: str | None = None
        self.select: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if self.done:
            return
        if tag == "form" and found.get("id") == self.form_id:
            self.inside = True
        elif not self.inside:
            return
        elif (
            tag == "input"
            and "name" in found
            and found.get("type") not in ("submit", "button", "file", "image")
        ):
            if found.get("type") in ("checkbox", "radio") and "checked" not in found:
                return
            self.fields.append((found["name"], found.get("value", "on")))
        elif tag == "textarea" and "name" in found:
            self.textarea = found["name"]
            self.fields.append((found["name"], ""))
        elif tag == "select" and "name" in found:
            self.select = {
                "name": found["name"],
                "multiple": "multiple" in found,
                "first": None,
                "chosen": [],
            }
        elif tag == "option" and self.select is not None:
            if self.select["first"] is None:
                self.select["first"] = found.get("value", "")
            if "selected" in found:
                self.select["chosen"].append(found.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"]
            if not chosen and not self.select["multiple"] and self.select["first"] is not None:
                chosen = [self.select["first"]]  # a browser sends the first option when none is selected
            self.fields += [(self.select["name"], value) for value in chosen]
            self.select = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def values(self, **changed: str) -> list[tuple[str, str]]:
        return [(name, changed.get(name, value)) for name, value in self.fields]


def edit_lesson_title(cluster: Cluster, node: str, slug: str, title: str) -> None:
    """Signs in as the author on `node` and saves the lesson `slug` with a (Chinese) title of `title`."""
    base = f"http://127.0.0.1:{cluster.web_ports[node]}"
    with httpx.Client(base_url=base, timeout=20, follow_redirects=True) as browser:
        login = Form("login-form")
        login.feed(browser.get("/admin/login/").text)
        signed_in = browser.post(
            "/admin/login/", data=dict(login.values(username="author", password=PASSWORD))
        )
        assert "/admin/login/" not in str(signed_in.url), "the author could not sign in"
        listing = browser.get("/admin/lessons/lesson/", params={"q": slug}).text
        change = re.search(r'href="(/admin/lessons/lesson/\d+/change/)[^"]*"', listing)
        assert change, f"no lesson {slug} in the admin"
        form = Form("lesson_form")
        form.feed(browser.get(change[1]).text)
        saved = browser.post(change[1], content=urlencode([*form.values(title_zh_hans=title), ("_save", "1")]),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', saved.text, re.S)
        assert saved.status_code == 200 and change[1] not in str(saved.url), errors or saved.status_code
