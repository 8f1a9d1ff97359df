"""Uploaded photos re-encoded before they are kept: JPEG, PNG or WebP in, a JPEG without any metadata (EXIF, GPS)
out, bounded in bytes, in pixels (a decompression bomb is refused before it is decoded) and in size."""
import base64
import binascii
import io

from flask import current_app
from flask_babel import gettext as _

from .errors import ValidationError

MAX_SIDE = 1600  # long side after re-encoding
MAX_PIXELS = 40_000_000  # what Pillow may decode at most (Image.MAX_IMAGE_PIXELS)
FORMATS = ("JPEG", "PNG", "WEBP")


def upload_limit():
    return int(current_app.config.get("MAX_UPLOAD_BYTES", 5 * 1024 * 1024))


def read_upload(upload):
    """The bytes of a form's file field, at most one byte over the limit (enough for reencode to refuse it)."""
    return upload.stream.read(upload_limit() + 1) if upload else b""  # FileStorage is false without a file


def from_base64(value, *, field="photo"):
    """The bytes of a photo sent in JSON as base64 (a ``data:image/...;base64,`` prefix allowed), refused naming
    ``field`` when it is not base64 or would decode to more than the upload limit (checked before decoding)."""
    not_base64 = ValidationError(_("Not a photo."), fields={field: _("a JPEG, PNG or WebP photo in base64")})
    if not isinstance(value, str):
        raise not_base64
    if value.startswith("data:") and "," in value[:100]:
        value = value.split(",", 1)[1]
    limit = upload_limit()
    if len(value) > (limit + 2) // 3 * 4 + 4:  # base64 is 4 characters per 3 bytes
        raise _too_large(field, limit)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise not_base64 from None


def _too_large(field, limit):
    return ValidationError(_("The photo is too large."),
                           fields={field: _("the file is larger than %(mb)s MB", mb=limit // (1024 * 1024))})


def reencode(data, *, field="photo", max_side=MAX_SIDE, max_pixels=MAX_PIXELS):
    """``data`` as (jpeg bytes, width, height); ValidationError naming ``field`` when it is empty, too large or
    not a JPEG, PNG or WebP image."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # Pillow loads its plugins on import: only when used

    limit = upload_limit()
    not_photo = ValidationError(_("Not a photo."), fields={field: _("a JPEG, PNG or WebP photo")})
    too_many = ValidationError(_("The photo is too large."), fields={field: _("too many pixels")})
    if not data:
        raise ValidationError(_("Choose a photo."), fields={field: _("choose a photo")})
    if len(data) > limit:
        raise _too_large(field, limit)
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with Image.open(io.BytesIO(data)) as img:  # reads the header only: size known before any decoding
            if img.format not in FORMATS:
                raise not_photo
            if img.width * img.height > max_pixels:
                raise too_many
            if img.format == "JPEG":
                img.draft("RGB", (max_side, max_side))  # decode at a reduced scale: less memory and time
            img = ImageOps.exif_transpose(img)  # keep the orientation, then drop the metadata
            img = img.convert("RGB")
            img.thumbnail((max_side, max_side))
            out = io.BytesIO()
            img.save(out, "JPEG", quality=85, optimize=True)  # no exif= argument: nothing is copied over
            return out.getvalue(), img.width, img.height
    except Image.DecompressionBombError:
        raise too_many from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise not_photo from None
