"""Mentions as JSON (the API)."""
from flask import Response, abort, url_for


def mention_json(m):
    return {"id": m.id, "department": m.department.code, "title": m.title, "link": m.link, "guid": m.guid,
            "outlet": m.outlet, "excerpt": m.excerpt, "published_at": m.published_at.isoformat(),
            "source": m.source, "reach": m.reach, "terms": list(m.terms or []), "severity": m.severity,
            "state": m.state, "tone": m.tone, "note": m.note, "incident_id": m.incident_id,
            "inquiry_id": m.inquiry_id,
            "screenshot": ({"url": url_for("monitoring_api.get_screenshot", mention_id=m.id),
                            "width": m.screenshot.width, "height": m.screenshot.height} if m.screenshot else None),
            "sightings": [{"source": s.source, "outlet": s.outlet, "url": s.url, "seen_at": s.seen_at.isoformat()}
                          for s in m.sightings]}


def screenshot_response(mention):
    """The mention's screenshot as a JPEG (the page and the API), a 404 when it has none."""
    shot = mention.screenshot
    if shot is None:
        abort(404)
    return Response(shot.data, mimetype="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})
