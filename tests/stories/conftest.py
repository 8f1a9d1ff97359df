import io

from PIL import Image

from crisiscomm.extensions import db
from crisiscomm.stories import service


def jpeg_with_gps(size=(800, 600)):
    """A JPEG carrying EXIF with a camera model and a GPS position (a school's location)."""
    img = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x0110] = "Phone-Camera-X"  # Model
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 12.0)}  # GPSInfo
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def consent_all(story, user, scope=("name", "photo", "school")):
    for person in story.people:
        given_as = "parent" if person.under_16 else "self"
        service.record_consent(person=person, user=user, given_by="Phạm Văn Tài", given_as=given_as, scope=list(scope),
                               consented_on="2026-06-01")
    db.session.commit()


def publish(story, officer, approver):
    service.transition(story=story, user=officer, action="verify", note="Đã xác minh với Ban giám hiệu.")
    service.transition(story=story, user=approver, action="approve")
    service.transition(story=story, user=officer, action="publish")
    db.session.commit()
