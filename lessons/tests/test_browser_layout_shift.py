"""Nothing moves once a page is on screen: what arrives after it (a quiz's state, the reader's part of a shared
page, a lab's run, the concept map's mastery) takes the room kept for it. Measured as browsers measure it (the
layout shifts without recent input, summed), on a phone over a slow network, where those parts arrive well
after the first paint, and on a laptop, where the whole header is in view."""

import pytest
from playwright.sync_api import expect

from conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.worker]

GOAL = 0.05
OBSERVE = """
window.layoutShift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.layoutShift += entry.value;
}).observe({ type: "layout-shift", buffered: true });
"""
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
LAPTOP = {"viewport": {"width": 1280, "height": 900}}
# (device, signed in, page): every page where something arrives late, on a phone signed out and in; on a
# laptop, where the header's account links are in view, the shared pages signed in.
LOADS = [
    *((PHONE, signed_in, url) for signed_in in (False, True) for url in (
        "/quizzes/gradients/", "/courses/test-course/", "/courses/test-course/convolution/",
        "/labs/linear-regression/", "/concepts/map/")),
    (PHONE, True, "/dashboard/"),
    *((LAPTOP, True, url) for url in ("/quizzes/gradients/", "/courses/test-course/", "/labs/linear-regression/")),
]  # fmt: skip


def shifts(browser, base: str, device: dict, state: dict | None, url: str) -> float:
    """The page's layout shift, loaded with an empty cache over a slow network (as a phone on 4G)."""
    context = browser.new_context(base_url=base, locale="en-US", storage_state=state, **device)
    context.add_init_script(OBSERVE)
    tab = context.new_page()
    network = context.new_cdp_session(tab)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 150, "downloadThroughput": 200_000, "uploadThroughput": 90_000},
    )
    tab.goto(url, wait_until="load")
    tab.wait_for_load_state("networkidle")
    tab.wait_for_timeout(500)
    value = tab.evaluate("window.layoutShift")
    context.close()
    return value


class LayoutShiftTests:
    def test_no_page_moves_after_it_is_shown_signed_out_or_in(self, browser, page, course, student, worker):
        log_in(page, "student", "correct horse 1")
        page.goto("/courses/test-course/gradients/")  # a finished run, which the lab page replays on load
        lab = page.locator("[data-lab=linear-regression]")
        lab.get_by_role("button", name="Start training").click()
        expect(lab.locator(".state")).to_have_text("Succeeded", timeout=60000)
        state = page.context.storage_state()
        found = {}
        for device, signed_in, url in LOADS:
            key = ("laptop" if device is LAPTOP else "phone", "signed in" if signed_in else "signed out", url)
            found[key] = round(shifts(browser, page.base, device, state if signed_in else None, url), 4)
        assert {key: value for key, value in found.items() if value > GOAL} == {}
