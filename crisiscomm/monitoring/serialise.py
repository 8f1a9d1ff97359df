"""Mentions as JSON (the API)."""


def mention_json(m):
    return {"id": m.id, "department": m.department.code, "title": m.title, "link": m.link, "guid": m.guid,
            "outlet": m.outlet, "excerpt": m.excerpt, "published_at": m.published_at.isoformat(),
            "source": m.source, "reach": m.reach, "terms": list(m.terms or []), "severity": m.severity,
            "state": m.state, "tone": m.tone, "note": m.note, "incident_id": m.incident_id,
            "inquiry_id": m.inquiry_id,
            "sightings": [{"source": s.source, "outlet": s.outlet, "url": s.url, "seen_at": s.seen_at.isoformat()}
                          for s in m.sightings]}
