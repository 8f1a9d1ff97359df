"""A screenshot on manual capture: re-encoded without metadata, bounded, shown only to who may see the mention;
a bad file is refused naming the field and nothing is written."""
import base64
import io
import struct
import zlib

from PIL import Image
from sqlalchemy import func, select

from crisiscomm.extensions import db
from crisiscomm.monitoring import service
from crisiscomm.monitoring.models import Mention, Screenshot

from .. import factories
from ..factories import csrf_token

FORM = {"link": "https://www.facebook.com/groups/phuhuynh/posts/991", "title": "Ảnh đề thi Toán lan truyền",
        "text": "Một tài khoản đăng ảnh được cho là đề thi Toán lớp 10 của Hà Nội.", "outlet": "Facebook",
        "published_at": "2026-06-26T07:00", "reach": "8000"}


def _png_with_exif():
    img = Image.new("RGB", (1200, 900), (240, 240, 240))
    exif = Image.Exif()
    exif[0x0110] = "Phone-Camera-X"  # Model
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 12.0)}  # GPSInfo: where it was taken
    out = io.BytesIO()
    img.save(out, "PNG", exif=exif)
    return out.getvalue()


def _bomb():
    """A small PNG that declares 30,000 × 30,000 pixels (900 million): refused before it is decoded."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + \
        chunk(b"IEND", b"")


def _post(client, data, **files):
    page = client.get("/monitoring/capture")
    body = {**FORM, **data, "csrf_token": csrf_token(page)}
    body.update({k: (io.BytesIO(v), f"{k}.png") for k, v in files.items()})
    return client.post("/monitoring/capture", data=body, content_type="multipart/form-data")


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_screenshot_is_kept_without_metadata_and_shown_on_the_mention(world, factory, clock):
    client = factory.login(world.officer)
    r = _post(client, {}, screenshot=_png_with_exif())
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    mention = db.session.scalar(select(Mention))
    page = client.get(f"/monitoring/mentions/{mention.id}").get_data(as_text=True)
    url = f"/monitoring/mentions/{mention.id}/screenshot.jpg"
    assert url in page
    served = client.get(url)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(served.data)) as img:
        assert img.format == "JPEG" and img.size == (1200, 900)
        assert not img.getexif()  # no camera, no GPS position
    # the same post captured again keeps the first screenshot: one mention, one screenshot, two sightings
    assert _post(client, {}, screenshot=_png_with_exif()).status_code == 303
    assert _count(Mention) == 1 and _count(Screenshot) == 1


def test_the_screenshot_is_served_only_to_who_may_see_the_mention(world, factory, clock):
    client = factory.login(world.officer)
    assert _post(client, {}, screenshot=_png_with_exif()).status_code == 303
    mention = db.session.scalar(select(Mention))
    url = f"/monitoring/mentions/{mention.id}/screenshot.jpg"
    assert factory.login(world.other).get(url).status_code == 404  # another Department's officer
    assert factory.login(world.admin).get(url).status_code == 200  # the Ministry sees every Department's
    no_shot = _post(client, {"link": "https://www.tiktok.com/@hs/video/2", "title": "Clip khác"})
    assert no_shot.status_code == 303
    other = db.session.scalar(select(Mention).where(Mention.title == "Clip khác"))
    assert client.get(f"/monitoring/mentions/{other.id}/screenshot.jpg").status_code == 404


def test_a_bad_file_is_refused_naming_the_field_and_nothing_is_written(world, factory, clock, app):
    client = factory.login(world.officer)
    for data in (b"%PDF-1.4 not an image", _bomb()):
        r = _post(client, {}, screenshot=data)
        assert r.status_code == 422
        html = r.get_data(as_text=True)
        assert 'id="screenshot"' in html and ("ảnh JPEG, PNG hoặc WebP" in html or "ảnh quá nhiều điểm ảnh" in html)
        assert _count(Mention) == 0 and _count(Screenshot) == 0
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    assert _post(client, {}, screenshot=gif.getvalue()).status_code == 422
    app.config["MAX_UPLOAD_BYTES"] = 1000  # over the size limit
    r = _post(client, {}, screenshot=_png_with_exif())
    assert r.status_code == 422 and _count(Mention) == 0


def test_the_factory_screenshot_shows_on_the_page(world, factory, clock):
    (mention,) = service.record(title="Sở GDĐT Hà Nội bác tin đồn", link="https://bao.example/tin-don.html",
                                outlet="Báo Dân trí")
    factories.mention_screenshot(mention)
    page = factory.login(world.officer).get(f"/monitoring/mentions/{mention.id}").get_data(as_text=True)
    assert 'width="640" height="480"' in page


def test_a_tool_pushes_a_screenshot_through_the_api_and_reads_it_back(world, factory, clock):
    api = factory.api(world.officer)
    push = {"link": FORM["link"], "title": FORM["title"], "text": FORM["text"], "outlet": "Facebook"}
    created = api.post("/api/v1/mentions", json={**push, "screenshot": base64.b64encode(_png_with_exif()).decode()})
    assert created.status_code == 201, created.get_data(as_text=True)[:500]
    shot = created.get_json()["screenshot"]
    assert (shot["width"], shot["height"]) == (1200, 900)
    assert api.get("/api/v1/mentions").get_json()["mentions"][0]["screenshot"] == shot  # the list says it too
    served = api.get(shot["url"])
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(served.data)) as img:
        assert img.format == "JPEG" and not img.getexif()
    assert factory.api(world.other).get(shot["url"]).status_code == 404  # another Department's officer
    # a mention without a screenshot says so, and its screenshot address answers 404
    bare = api.post("/api/v1/mentions", json={"link": "https://www.tiktok.com/@hs/video/3",
                                                 "title": "Clip học sinh đánh nhau ở cổng trường"}).get_json()
    assert bare["screenshot"] is None
    assert api.get(f"/api/v1/mentions/{bare['id']}/screenshot").status_code == 404


def test_a_bad_screenshot_in_the_api_is_refused_naming_the_field_and_nothing_is_written(world, factory, clock, app):
    api = factory.api(world.officer)
    push = {"link": FORM["link"], "title": FORM["title"]}
    app.config["MAX_UPLOAD_BYTES"] = 4000
    for value in ("không phải base64!", base64.b64encode(b"%PDF-1.4 not an image").decode(), 12,
                  base64.b64encode(_bomb()).decode(), "A" * 10_000):  # the last is over the limit, never decoded
        r = api.post("/api/v1/mentions", json={**push, "screenshot": value}, headers={"Accept-Language": "vi"})
        assert r.status_code == 422, value
        error = r.get_json()["error"]
        assert list(error["fields"]) == ["screenshot"] and "photo" not in error["fields"]["screenshot"]
        assert _count(Mention) == 0 and _count(Screenshot) == 0
