"""Files that came with an inquiry's email, kept under the instance folder (one folder per Department) and served
only as downloads: a safe content type, ``Content-Disposition: attachment``, never rendered by the browser."""
import hashlib
import os
import re
import uuid

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..clock import now
from ..extensions import db
from .models import InquiryAttachment

# Shown by the browser's own viewer at most; anything else (HTML, SVG, scripts…) is a plain download.
SAFE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain",
              "application/msword", "application/vnd.ms-excel", "application/zip",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
_MAGIC = {"application/pdf": (b"%PDF-",), "image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
          "image/gif": (b"GIF87a", b"GIF89a")}


def root():
    return current_app.config.get("ATTACHMENT_DIR") or os.path.join(current_app.instance_path, "attachments")


def path_of(attachment):
    return os.path.join(root(), attachment.storage_key)


def safe_content_type(declared, data_head=None):
    """The declared type when it is harmless (and the first bytes, when given, agree), else
    application/octet-stream."""
    declared = (declared or "").lower()
    if declared not in SAFE_TYPES:
        return "application/octet-stream"
    magic = _MAGIC.get(declared)
    if magic and data_head is not None and not data_head.startswith(magic):
        return "application/octet-stream"
    return declared


def safe_filename(name):
    name = re.sub(r"[\x00-\x1f\x7f/\\]+", "_", name or "").strip(" .") or "file"
    return name[:200]


def store_all(*, inquiry, attachments):
    """Write the files and their rows; returns the names of those not kept (over the size or count limit).
    Files written by a transaction that rolls back are removed again."""
    cfg = current_app.config
    max_bytes, max_count = cfg["INQUIRY_ATTACHMENT_MAX_BYTES"], cfg["INQUIRY_ATTACHMENT_MAX_COUNT"]
    skipped, kept = [], 0
    for att in attachments:
        data = att["data"]
        if len(data) > max_bytes or kept >= max_count:
            skipped.append(f"{att['filename']} ({len(data) / 2 ** 20:.1f} MB)")
            continue
        key = f"{inquiry.department_id}/{uuid.uuid4().hex}"
        path = os.path.join(root(), key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
        db.session.info.setdefault("written_files", []).append(path)
        db.session.add(InquiryAttachment(
            inquiry_id=inquiry.id, department_id=inquiry.department_id, filename=safe_filename(att["filename"]),
            content_type=safe_content_type(att.get("content_type"), data[:16]), size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), storage_key=key, created_at=now()))
        kept += 1
    return skipped


def _forget(session):
    session.info.pop("written_files", None)


def _remove_written(session):
    for path in session.info.pop("written_files", []):
        try:
            os.remove(path)
        except OSError:
            pass


def install():
    if not event.contains(Session, "after_rollback", _remove_written):
        event.listen(Session, "after_commit", _forget)
        event.listen(Session, "after_rollback", _remove_written)
