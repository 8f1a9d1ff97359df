"""iCalendar: a briefing as a VEVENT, and calendars of briefings (invitations, downloads, feeds)."""
import re

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from ..clock import local_tz, now, to_local
from ..inquiries.mailbox import mailbox_of
from .models import CANCELLED, HELD, PLANNED, POSTPONED


def _event(briefing, organizer_email):
    ev = Event()
    ev.add("uid", briefing.uid)
    ev.add("dtstamp", now())
    ev.add("sequence", briefing.sequence or 0)
    ev.add("summary", f"{briefing.title} – {briefing.department.name}")
    tz = local_tz()
    ev.add("dtstart", to_local(briefing.starts_at).replace(tzinfo=tz))
    ev.add("dtend", to_local(briefing.ends_at).replace(tzinfo=tz))
    location = ", ".join(filter(None, [briefing.place, briefing.online_link]))
    if location:
        ev.add("location", location)
    description = "\n\n".join(filter(None, [briefing.topics, briefing.online_link and f"Link: {briefing.online_link}"]))
    if description:
        ev.add("description", description)
    if briefing.online_link:
        ev.add("url", briefing.online_link)
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = vText(briefing.department.name)
    ev["organizer"] = organizer
    ev.add("status", {PLANNED: "CONFIRMED", HELD: "CONFIRMED", POSTPONED: "TENTATIVE",
                      CANCELLED: "CANCELLED"}[briefing.status])
    return ev


def _organizer_email(department=None):
    """The Department's real address (its own, else its press mailbox's), else the system sender."""
    sender = current_app.config["MAIL_SENDER"]
    match = re.search(r"<([^>]+)>", sender)
    own = None
    if department is not None:
        own = department.email
        if not own:
            mailbox = mailbox_of(department)
            own = mailbox.address if mailbox is not None else None
    return own or (match.group(1) if match else sender)


def build_ics(briefings, *, method=None, name=None, attendee=None):
    cal = Calendar()
    cal.add("prodid", "-//crisiscomm//briefings//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(local_tz()))
    for b in briefings:
        ev = _event(b, _organizer_email(b.department))
        if attendee is not None:
            att = vCalAddress(f"mailto:{attendee.email}")
            att.params["cn"] = vText(attendee.full_name)
            att.params["role"] = vText("REQ-PARTICIPANT")
            att.params["rsvp"] = vText("FALSE")
            ev.add("attendee", att, encode=0)
        cal.add_component(ev)
    # The VTIMEZONE its TZID refers to (RFC 5545 3.2.19): Outlook desktop needs it to place the event.
    cal.add_missing_timezones()
    return cal.to_ical()
