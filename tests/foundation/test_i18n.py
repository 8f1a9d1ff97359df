"""Vietnamese is the default UI language; English is one click away; no UI string lacks Vietnamese."""
from crisiscomm import i18n

FOUNDATION = ("core", "users", "departments", "audit", "notifications", "web")


def test_every_foundation_string_has_vietnamese():
    missing = {domain: i18n.missing(domain=domain) for domain in FOUNDATION}
    assert missing == {domain: [] for domain in FOUNDATION}


def test_every_string_of_every_domain_has_vietnamese():
    assert [(i18n.os.path.relpath(p, i18n.PROJECT_DIR), n, m) for p, n, m in i18n.missing()] == []


def test_core_catalog_covers_top_level_templates_and_modules():
    paths = {path for path, _method in i18n._sources("core")}
    assert i18n.os.path.join(i18n.TEMPLATE_DIR, "base.html") in paths
    assert i18n.os.path.join(i18n.PACKAGE_DIR, "errors.py") in paths
    assert i18n.os.path.join(i18n.TEMPLATE_DIR, "users", "login.html") in paths


def test_pages_are_vietnamese_by_default_and_english_on_request(client, factory):
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="vi"' in html
    assert "Đăng nhập" in html and "Mật khẩu" in html

    html = client.get("/login?lang=en").get_data(as_text=True)
    assert 'lang="en"' in html
    assert "Sign in" in html and "Password" in html and "Mật khẩu" not in html

    # The choice sticks for the session.
    assert "Password" in client.get("/login").get_data(as_text=True)
    assert "Mật khẩu" in client.get("/login?lang=vi").get_data(as_text=True)


def test_signed_in_start_page_speaks_vietnamese(factory):
    user = factory.user("spokesperson", name="Nguyễn Thị Lan")
    client = factory.login(user)
    html = client.get("/").get_data(as_text=True)
    assert "Xin chào, Nguyễn Thị Lan" in html
    assert "Người phát ngôn" in html and "Đăng xuất" in html and "Sở GDĐT Hà Nội" in html
