"""In Chromium: the installable app (manifest, icons, service worker at scope /), the enable-push flow, and the
offline copy of an open incident that says how old it is and is gone after sign-out.

Chromium here has no network to a real push service (Google's FCM), so subscribing cannot succeed: the test shows
the flow up to that point and that the page says so plainly. Delivery to a push endpoint, its encryption and VAPID
are tested against a local push service in test_push.py and test_exam_alert.py."""
import re

import pytest
from playwright.sync_api import expect

from ..factories import PASSWORD
from ..incidents.conftest import incident_body


def _until(page, expression, attempts=150):
    """Poll the page (wait_for_function would need 'unsafe-eval', which the app's CSP rightly refuses)."""
    for _ in range(attempts):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


def _sign_in(page, user):
    page.goto("/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


@pytest.mark.browser
def test_installable_app_push_prompt_and_offline_copy(world, factory, page, live_server, smtp_server):
    incident_id = factory.api(world.officer).post("/api/v1/incidents", json=incident_body()).get_json()["id"]
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, world.director)

    # The service worker controls the whole app.
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == live_server.url + "/"
    manifest = page.evaluate("""fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())""")
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/")
    assert manifest["name"].startswith("crisiscomm — truyền thông")
    for icon in manifest["icons"]:
        assert page.evaluate(f"fetch('{icon['src']}').then(r => r.status)") == 200
    assert {i["sizes"] for i in manifest["icons"]} >= {"192x192", "512x512"}

    # The account page (channels, routes, the prompt) fits a phone: nothing wider than 390 px.
    page.goto("/account")
    page.locator("[data-push-prompt]").wait_for(state="visible")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for control in page.locator("#channels button, #channels input:not([type=checkbox]), [data-push-enable]").all():
        box = control.bounding_box()
        assert box is None or box["height"] >= 44, control.evaluate("e => e.outerHTML")

    # The prompt on the incident page (the director was alerted and has no push yet), then one tap.
    page.goto(f"/incidents/{incident_id}")
    prompt = page.locator("[data-push-prompt]")
    prompt.wait_for(state="visible")
    button = prompt.locator("[data-push-enable]")
    assert button.bounding_box()["height"] >= 44
    assert "Bật thông báo đẩy trên thiết bị này" in button.inner_text()
    button.click()
    # No push service is reachable from this machine: the page says so instead of pretending.
    expect(prompt).to_have_attribute("data-push-state", "failed", timeout=30000)
    assert "Không kết nối được dịch vụ thông báo đẩy" in prompt.inner_text()

    # Offline copies: the service worker saved the open incident for this person.
    _until(page, f"""caches.keys().then(ns => Promise.all(ns.filter(n => n.startsWith('crisiscomm-user-'))
        .map(n => caches.open(n).then(c => c.match('/incidents/{incident_id}'))))).then(hits => hits.some(Boolean))""")
    page.context.set_offline(True)
    page.goto(f"/incidents/{incident_id}")
    banner = page.locator("[data-offline-banner]")
    banner.wait_for(state="visible")
    assert "Bản lưu ngoại tuyến từ 0 phút trước" in banner.inner_text()
    assert "Ảnh đề thi Ngữ văn lộ trên mạng xã hội" in page.inner_text("h1")
    page.context.set_offline(False)

    # Signing out removes them: the next person on this phone finds nothing.
    page.goto("/")
    page.click("header form[action$='/logout'] button")
    page.wait_for_url(re.compile(r".*/login"))
    _until(page, "caches.keys().then(ns => !ns.some(n => n.startsWith('crisiscomm-user-')))")
    page.context.set_offline(True)
    response = page.goto(f"/incidents/{incident_id}")
    assert "Ảnh đề thi Ngữ văn" not in page.content()
    assert response.status == 503
    page.context.set_offline(False)
