"""The bench step `lighthouse`: the pages a student opens, scored by Lighthouse on its phone profile.

Lighthouse (the npm package in node_modules, test tooling only) drives Debian's Chromium against the bench's
live server: its default mobile form factor with simulated throttling (a slow 4G network and a CPU four times
slower than this one), the categories performance, accessibility, best practices and SEO. Each page is scored
in both languages; the language goes with every request as the `django_language` cookie, which wins over
Accept-Language, and each run is checked to have got the page in that language (its `<html lang>`).

Lighthouse empties the browser's caches before it loads a page, so the repeat visit is measured another way:
Playwright opens the lesson twice in one browser context, and the Chrome DevTools Protocol counts the bytes
each load received over the network (headers included; what the cache answers costs nothing).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LESSON = "/courses/ai-large-models/core-algorithms/"  # math, code, a quiz and two labs
PAGES = {  # name: (path, signed in)
    "home": ("/", False),
    "lesson": (LESSON, False),
    "quiz": ("/quizzes/background/", False),
    "lab": ("/labs/linear-regression/", False),
    "concept_map": ("/concepts/map/", False),
    "faq": ("/faq/", False),
    "dashboard": ("/dashboard/", True),
}
LANGUAGES = ("zh-hans", "en")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-quic"
# Runs per page and language; the median run is kept (one run's performance score moves by up to 6 points here).
RUNS = int(os.environ.get("LIGHTHOUSE_RUNS", "3"))


def missing() -> str | None:
    """Why the step cannot run here, or None."""
    if not shutil.which("node"):
        return "no Node.js (apt-get install nodejs npm, then make bench installs node_modules)"
    if not LIGHTHOUSE.exists():
        return f"no {LIGHTHOUSE.relative_to(ROOT)} (npm ci --no-audit --no-fund, or make lighthouse with npm installed)"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
    if not importlib.util.find_spec("playwright"):
        return "no Playwright for the repeat visit (pip install -r requirements-dev.txt)"
    return None


def headers(language: str, session: str | None) -> dict[str, str]:
    cookie = f"django_language={language}" + (f"; {session}" if session else "")
    return {"Cookie": cookie}


def html_lang(document: str) -> str | None:
    found = re.search(r"<html\b[^>]*\blang=\"([^\"]+)\"", document, re.IGNORECASE)
    return found and found.group(1).lower()


def warm(url: str, language: str, extra: dict[str, str]) -> None:
    """One plain GET first, so that Lighthouse meets the page as every reader but the first does (a lesson is
    rendered once per language, then kept), and a check that the server answers in the language asked for."""
    with urllib.request.urlopen(urllib.request.Request(url, headers=extra), timeout=30) as response:
        if response.url != url:
            raise SystemExit(f"lighthouse: {url} redirected to {response.url}")
        lang = html_lang(response.read().decode())
    if lang != language:
        raise SystemExit(f"lighthouse: {url} came in <html lang={lang!r}>, not {language!r}")


def lighthouse(url: str, language: str, extra: dict[str, str], out: Path) -> dict:
    """One Lighthouse run; returns its figures, and writes its JSON and HTML reports to `out`.*."""
    artifacts = out.with_suffix(".artifacts")
    process = subprocess.run(
        [str(LIGHTHOUSE), url, f"--only-categories={','.join(CATEGORIES)}", "--output=json", "--output=html",
         f"--output-path={out}", f"--extra-headers={json.dumps(extra)}", f"--chrome-flags={CHROME_FLAGS}",
         f"--gather-mode={artifacts}", f"--audit-mode={artifacts}", "--quiet"],
        cwd=ROOT, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    report = out.with_name(out.name + ".report.json")
    if process.returncode or not report.exists():
        raise SystemExit(f"lighthouse failed on {url} ({process.returncode}):\n{process.stderr[-3000:]}")
    lhr = json.loads(report.read_text())
    if lhr.get("runtimeError"):
        raise SystemExit(f"lighthouse on {url}: {lhr['runtimeError']}")
    # What this run was served, read from the document Lighthouse itself loaded.
    document = json.loads((artifacts / "artifacts.json").read_text())["MainDocumentContent"]
    shutil.rmtree(artifacts)  # the trace and the DevTools log: tens of MB a run
    lang = html_lang(document)
    if lang != language:
        raise SystemExit(f"lighthouse got {url} in <html lang={lang!r}>, not {language!r}")
    if lhr["finalDisplayedUrl"] != url:
        raise SystemExit(f"lighthouse: {url} ended at {lhr['finalDisplayedUrl']}")
    audits = lhr["audits"]
    return {
        **{category: round(100 * lhr["categories"][category]["score"]) for category in CATEGORIES},
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 4),
        "bytes": round(audits["total-byte-weight"]["numericValue"]),
        "lang": lang,
        # Lighthouse's measure of this machine's speed during the run: low when neighbours are busy.
        "benchmark_index": round(lhr["environment"]["benchmarkIndex"]),
        "failing": failing(lhr),
        "report": str(report.relative_to(ROOT)),
    }


def failing(lhr: dict) -> list[dict]:
    """The audits that did not pass, those that cost the most points first: each with the points it cost in
    its category (0 for the diagnostics and insights, which carry no weight) and where (URLs or elements)."""
    costs: dict[str, tuple[float, str]] = {}
    for category_id, category in lhr["categories"].items():
        total = sum(ref.get("weight", 0) for ref in category["auditRefs"]) or 1
        for ref in category["auditRefs"]:
            audit = lhr["audits"][ref["id"]]
            if audit["score"] is None:
                continue
            cost = 100 * ref.get("weight", 0) / total * (1 - audit["score"])
            if ref["id"] not in costs or cost > costs[ref["id"]][0]:
                costs[ref["id"]] = (cost, category_id)
    found = []
    for audit_id, (cost, category) in costs.items():
        audit = lhr["audits"][audit_id]
        if audit["score"] >= 0.9 or audit["scoreDisplayMode"] in ("informative", "notApplicable", "manual"):
            continue
        found.append({
            "id": audit_id, "category": category, "points": round(cost, 1), "score": audit["score"],
            "title": audit["title"], "found": audit.get("displayValue", ""), "where": where(audit),
        })  # fmt: skip
    return sorted(found, key=lambda audit: (-audit["points"], audit["score"]))


def where(audit: dict) -> list[str]:
    """The first few URLs (as paths) or elements an audit names."""
    details = audit.get("details") or {}
    items = details.get("items") or []
    if items and details.get("type") == "list":  # e.g. the LCP element: tables in a list
        items = items[0].get("items") or []
    if not isinstance(items, list):  # e.g. the network dependency tree: a tree of chains
        return []
    places = []
    for item in items[:3]:
        if not isinstance(item, dict):
            continue
        url = item.get("url") or (item.get("sourceLocation") or {}).get("url")
        node = item.get("node") or {}
        if url:
            places.append("/" + url.split("/", 3)[-1] if "://" in url else url)
        elif node.get("selector"):
            places.append(node["selector"])
    return places


def again_once(url: str, language: str, extra: dict[str, str], out: Path) -> dict:
    """A Lighthouse run, run again once if Lighthouse itself failed (it now and then loses the trace of a load,
    NO_NAVSTART, and asks to be run again); a second failure stops the bench."""
    try:
        return lighthouse(url, language, extra, out)
    except SystemExit as failure:
        print(f"lighthouse: {failure}; running it again")
        return lighthouse(url, language, extra, out)


def scored(url: str, language: str, extra: dict[str, str], out: Path) -> dict:
    """The median of RUNS runs by performance score (Lighthouse's own advice against its variance)."""
    runs = [again_once(url, language, extra, out.with_name(f"{out.name}-{n}")) for n in range(RUNS)]
    middle = statistics.median_low(run["performance"] for run in runs)
    return next(run for run in runs if run["performance"] == middle)


def visits(url: str, language: str) -> list[dict]:
    """A first and a repeat load of `url` in one browser context: for each, the bytes received over the
    network (headers included) and what they were, by request."""
    from playwright.sync_api import sync_playwright

    origin = "/".join(url.split("/", 3)[:3])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-quic"]
        )
        context = browser.new_context(viewport={"width": 412, "height": 823}, is_mobile=True)
        context.add_cookies([{"name": "django_language", "value": language, "url": origin}])
        tab = context.new_page()
        cdp = context.new_cdp_session(tab)
        requests: dict[str, dict] = {}

        def responded(event: dict) -> None:
            response = event["response"]
            path = response["url"].removeprefix(origin)
            requests[event["requestId"]] = {"path": path, "status": response["status"], "bytes": 0}

        def finished(event: dict) -> None:
            requests.setdefault(event["requestId"], {"path": "?", "status": 0})["bytes"] = event[
                "encodedDataLength"
            ]

        cdp.on("Network.responseReceived", responded)
        cdp.on("Network.loadingFinished", finished)
        cdp.send("Network.enable")
        loads = []
        for _ in range(2):
            requests.clear()
            tab.goto(url, wait_until="networkidle")
            lang = tab.evaluate("document.documentElement.lang").lower()
            if lang != language:
                raise SystemExit(f"the repeat visit got {url} in <html lang={lang!r}>, not {language!r}")
            tab.wait_for_timeout(500)  # the last loadingFinished events
            fetched = sorted((r for r in requests.values() if r["bytes"]), key=lambda r: -r["bytes"])
            loads.append({"bytes": sum(r["bytes"] for r in fetched), "requests": fetched})
        browser.close()
    return loads


def measure(base_url: str, session: str, folder: Path) -> dict:
    """Every page in both languages; the table's figures and the bench's metrics."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, (path, signed_in) in PAGES.items():
        for language in LANGUAGES:
            url = base_url + path
            extra = headers(language, session if signed_in else None)
            warm(url, language, extra)
            row = {"page": name, "language": language, "path": path}
            row.update(scored(url, language, extra, folder / f"{name}-{language}"))
            rows.append(row)
            print(row_line(row), flush=True)
    repeat = {language: visits(base_url + LESSON, language) for language in LANGUAGES}
    lessons = [row for row in rows if row["page"] == "lesson"]
    return {
        "rows": rows,
        "lesson_visits": {language: {"first": first, "repeat": again} for language, (first, again) in repeat.items()},
        "metrics": {
            "lighthouse_performance_min": min(row["performance"] for row in rows),
            "lighthouse_accessibility_min": min(row["accessibility"] for row in rows),
            "lighthouse_best_practices_min": min(row["best-practices"] for row in rows),
            "lighthouse_seo_min": min(row["seo"] for row in rows),
            "lighthouse_lcp_max_ms": max(row["lcp_ms"] for row in rows),
            "lighthouse_cls_max": max(row["cls"] for row in rows),
            "lesson_first_visit_kib": max(row["bytes"] for row in lessons) / 1024,
            "lesson_repeat_visit_kib": max(again["bytes"] for _first, again in repeat.values()) / 1024,
        },
    }  # fmt: skip


HEADER = f"{'page':<12} {'lang':<8} {'perf':>4} {'a11y':>4} {'bp':>4} {'seo':>4} {'LCP ms':>7} {'CLS':>6} {'KiB':>6} {'cpu':>5}"


def row_line(row: dict) -> str:
    return (
        f"{row['page']:<12} {row['language']:<8} {row['performance']:>4} {row['accessibility']:>4} "
        f"{row['best-practices']:>4} {row['seo']:>4} {row['lcp_ms']:>7} {row['cls']:>6.3f} {row['bytes'] / 1024:>6.0f} {row['benchmark_index']:>5}"
    )


def report(result: dict) -> str:
    """The table, the lesson's two visits, and per page the audits that cost points."""
    lines = [HEADER, "-" * len(HEADER), *(row_line(row) for row in result["rows"])]
    lines.append(
        "(cpu: Lighthouse's benchmark index of this machine during the run; a busy machine scores worse)"
    )
    for language, visit in result["lesson_visits"].items():
        first, again = visit["first"], visit["repeat"]
        largest = ", ".join(
            f"{r['path']} {r['status']} {r['bytes'] / 1024:.1f}" for r in again["requests"][:4]
        )
        lines.append(
            f"lesson ({language}) in one browser: first visit {first['bytes'] / 1024:.0f} KiB in "
            f"{len(first['requests'])} requests; repeat {again['bytes'] / 1024:.1f} KiB in "
            f"{len(again['requests'])} ({largest})"
        )
    by_page: dict[str, dict[str, tuple[dict, list[str]]]] = {}
    for row in result["rows"]:
        for audit in row["failing"]:
            if audit["id"].endswith("-insight"):  # the newer form of an audit listed too; in the reports
                continue
            by_page.setdefault(row["page"], {}).setdefault(audit["id"], (audit, []))[1].append(
                row["language"]
            )
    for page, found in by_page.items():
        lines.append(f"{page}: audits that did not pass (points they cost, category, languages; where)")
        for audit, languages in found.values():
            shown = f" ({audit['found']})" if audit["found"] else ""
            cost = (
                f"−{audit['points']:g} {audit['category']}"
                if audit["points"]
                else f"{audit['category']} diagnostic"
            )
            lines.append(
                f"  {audit['id']}: {cost} [{', '.join(languages)}] "
                f"{audit['title']}{shown}" + (f"; {', '.join(audit['where'])}" if audit["where"] else "")
            )
    return "\n".join(lines)
