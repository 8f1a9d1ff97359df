"""Test data factories: real rows through the real services."""
import itertools
import re

from crisiscomm.departments import service as departments_service
from crisiscomm.extensions import db
from crisiscomm.users import service as users_service

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


class Factory:
    def __init__(self, app):
        self.app = app

    def departments(self, merger=True):
        departments_service.load_reference()
        if merger:
            departments_service.apply_merger()
        db.session.commit()
        return departments_service

    def department(self, code="ha-noi"):
        dep = departments_service.find_by_code(code)
        if dep is None:
            self.departments()
            dep = departments_service.find_by_code(code)
        return dep

    def user(self, role="comms_officer", department="ha-noi", email=None, name=None, password=PASSWORD, **kw):
        n = next(_seq)
        if role in ("ministry_admin", "ministry_comms"):
            department = None
        elif department is not None:
            self.department(department)
        user = users_service.create_user(email=email or f"{role}{n}@example.vn", name=name or f"{role.title()} {n}",
                                         role=role, password=password, department_code=department, **kw)
        db.session.commit()
        return user

    def token(self, user):
        token = users_service.issue_token(user=user, label="test")
        db.session.commit()
        return token

    def api(self, user):
        """A test client whose requests carry the user's bearer token."""
        return ApiClient(self.app.test_client(), self.token(user))

    def login(self, user, password=PASSWORD):
        client = self.app.test_client()
        csrf = csrf_token(client.get("/login"))
        response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": csrf})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client


def csrf_token(response):
    """The CSRF token of a rendered page (its meta tag or a form's hidden field)."""
    html = response.get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class ApiClient:
    def __init__(self, client, token):
        self.client, self.token = client, token

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, url, headers=None, **kw):
        return self.client.get(url, headers=self._headers(headers), **kw)

    def post(self, url, json=None, headers=None, **kw):
        return self.client.post(url, json=json, headers=self._headers(headers), **kw)

    def patch(self, url, json=None, headers=None, **kw):
        return self.client.patch(url, json=json, headers=self._headers(headers), **kw)

    def put(self, url, json=None, headers=None, **kw):
        return self.client.put(url, json=json, headers=self._headers(headers), **kw)

    def delete(self, url, headers=None, **kw):
        return self.client.delete(url, headers=self._headers(headers), **kw)


def browser_sign_in(page, email, password=PASSWORD, viewport=None, next=None):
    """Sign in through the login form in Chromium (optionally at a viewport size) and land on the start page,
    or on ``next``."""
    if viewport:
        page.set_viewport_size(viewport)
    page.context.clear_cookies()
    page.goto("/login?lang=vi" + (f"&next={next}" if next else ""))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**" + (next or "/"))
