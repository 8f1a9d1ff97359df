"""Cross-Department access (IDOR): another Department's record is a 404, for every resource type, in the web
pages and the API, for reads and writes; nothing of it is shown and nothing of it changes.

Written over the URL map, not over a list of URLs. Hà Nội (A) and Hồ Chí Minh City (B) each get one record of
every Department-owned type; then, as B's director and as B's communication officer, every rule whose path names a
record is requested, with every method it accepts, with A's record in the path. A path argument this file does not
know fails the test (map it in RECORD_ARGS, or say in NOT_DEPARTMENT_ARGS / ALLOWED why it is not a Department's),
so a new route cannot escape.

Records are referenced in three places, and each is walked:
- the path (``/incidents/<int:incident_id>``): the answer is 404;
- the body or query (``contact_ids``, ``other_id``, ``assignee``, ``?incident=``, see BODIES): with A's record in it
  the answer is exactly the one for a record that does not exist (a 404, or a 422 naming the field);
- ``department=CODE``, put into the query of every page and the body of every write: the answer is exactly the
  one for a Department that does not exist.
A refused request leaves the whole database as it was, no request changes any of A's rows, and no answer shows
any of A's data. The same requests by A's own director (and the Ministry, for reads) reach the records.
"""
import io
import itertools
import json
import re
import zipfile
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from werkzeug.routing import AnyConverter

from crisiscomm.api import API_PREFIX, openapi_document
from crisiscomm.extensions import db
from crisiscomm.models import DepartmentOwned, model_classes

from ..factories import csrf_token
from ..scenarios.helpers import valid_text, write

A, B = "ha-noi", "ho-chi-minh"  # A owns the records; B's users try to reach them
MISSING_ID = 2_000_000_000  # a valid id (below 2**31) that no record has
MISSING_CODE = "khong-co-so-nay"
MISSING_EMAIL = "khong-ai@example.vn"
YEAR = "2025-2026"  # the school year of the frozen clock (26/06/2026)
SCENARIO = "test-rumour"
THEMES = ["Kỳ thi tốt nghiệp THPT 2026", "An toàn trường học"]
WRITES = ("POST", "PUT", "PATCH", "DELETE")

# Path arguments that name a Department's record, and which of the side's records they take.
RECORD_ARGS = {
    "contact_id": "contact",
    "assignment_id": "assignment",
    "briefing_id": "briefing",
    "incident_id": "incident",
    "item_id": "checklist_item",
    "inquiry_id": "inquiry",
    "attachment_id": "attachment",  # a file that came with an inquiry's email
    "plan_id": "plan",
    "distribution_id": "distribution",
    "notification_id": "notification",  # an in-app message belongs to its recipient, a user of the Department
    "token_id": "api_token",  # an API token belongs to its user
    "story_id": "story",
    "person_id": "story_person",
    "consent_id": "story_consent",
    "photo_id": "story_photo",
    "code": "code",  # the Department itself: /departments/<code>, /spokespersons/department/<code>/assign
    "token": "contact_import",  # a contact list waiting for its column mapping and confirmation
    "mention_id": "mention",  # a press mention of the Department
    "term_id": "department_term",  # one of the Department's watch terms
    "course_id": "course",  # a Department's training course
    "material_id": "course_material",
    "participant_id": "course_participant",
    "staff_id": "user",  # a person's training history
    "school_id": "school",  # a school of the Department's network
    "focal_id": "focal_point",  # a school's communication focal point
    "group_id": "group",  # a group of the Department's schools
    "message_id": "orientation_message",  # an orientation message the Department drafted for its schools
}

# Path arguments that name nothing of a Department's: (why, the value requests use; None: every <any(...)> value).
NOT_DEPARTMENT_ARGS = {
    "year": ("a school year; the plan is always the signed-in user's own Department's", YEAR),
    "fmt": ("an export format (csv, xlsx, vcf)", None),
    "action": ("a verb (archive, restore, verify) on the contact named by contact_id", None),
    "slug": ("one of the Ministry's scenario templates, shared by every Department; the Department's adaptation "
             "and distribution come from the signed-in user, never from the URL", SCENARIO),
    "ident": ("one of the Ministry's scenario templates (API)", SCENARIO),
    "number": ("a version of the Ministry's scenario template (Ministry centre only)", 1),
    "rule_id": ("a Ministry-wide deadline rule (ministry_admin only)", 1),
    "user_id": ("a user account on the user admin pages (ministry_admin only: a Department role gets 403 for any id)",
                1),
    "period_id": ("a Ministry-wide exam period (Ministry roles only)", 1),
    "feed_id": ("a news feed on the Ministry's list (monitoring admin only: a Department role gets 403)", 1),
    "crisis_term_id": ("a Ministry-wide crisis term (monitoring admin only: a Department role gets 403)", 1),
    "method_id": ("one of the signed-in person's own contact methods (another person's is a 404: "
                  "tests/notifications/test_channels.py)", 1),
    "recipient_id": ("the signed-in network member's own copy of an orientation message (orientation.receive: a "
                     "focal point's account; a Department role gets 403 for any id, and another member's copy is a "
                     "404: tests/orientation/test_acknowledge.py)", 1),
}

# Routes whose argument is a credential or a file, not a record: intentionally reachable without a Department.
ALLOWED = {
    "static": "static files",
    "briefing_feeds.feed": "calendar feed for calendar apps: the secret, revocable token in the URL is the credential",
    "incidents.ack_link": "one-click acknowledge from the alert email: a signed, expiring, single-use token",
    "incidents.ack_link_confirm": "one-click acknowledge from the alert email: a signed, expiring, single-use token",
    "pwa.action_link": "a push button's or SMS link's action: a signed, expiring, single-use token for one message",
    "pwa.action_do": "a push button's or SMS link's action: a signed, expiring, single-use token for one message",
    "stories_public.department_page": "public page (no sign-in): published stories with complete consent only",
    "stories_public.department_feed": "public Atom feed of the same published, consented stories",
    "stories_public.public_story": "public page of one published story with complete consent (404 otherwise)",
    "stories_public.public_photo": "public photo of a published story whose pictured people consented",
    "stories_public.not_interested": "one-click opt-out from a pitch email: a signed token",
    "orientation.ack_link": "acknowledge link of an orientation email to a focal point without an account: a "
                            "signed, expiring, single-use token",
    "orientation.ack_link_confirm": "acknowledge link of an orientation email to a focal point without an account: "
                                    "a signed, expiring, single-use token",
}

# Form pages of a write the Ministry has no right to: it reads every Department's network (network.read) but edits
# none (network.edit is a Department's), so its admin gets 403 there, for any id, where it reads the record itself.
MINISTRY_FORBIDDEN_FORMS = {"network.edit_school", "network.new_focal_point", "network.edit_focal_point"}

# Sign-in plumbing: no Department data, and the sweeps must not sign their own user out.
SESSION_ENDPOINTS = {"users.login", "users.logout"}

# API body and query fields that look like a reference to a record: each must be exercised by BODIES.
REFERENCE_FIELD = re.compile(r"(_ids?|^incident|^assignee|^approved_by|^drill_recipients)$")
NOT_DEPARTMENT_FIELDS = {"scenario", "version", "refusal_ground"}  # the Ministry's shared records


@dataclass(frozen=True)
class T:
    """A reference in a body or query: filled with A's record, B's own or one that does not exist."""
    slot: str


@dataclass(frozen=True)
class File:
    name: str
    content: str


# Realistic bodies: without the scoping these requests would really write (the positive control shows they do).
# endpoint: (form or JSON body for writes, query for reads).
BODIES = {
    # contacts
    "contacts.show": ({"full_name": "Kẻ lạ đổi tên", "outlet": "Báo lạ", "outlet_type": "online"}, {}),
    "contacts.merge": ({"contact_ids": [T("contact"), T("contact2")], "keep_id": T("contact")}, {}),
    "contacts_api.update_contact": ({"full_name": "Kẻ lạ đổi tên", "notes": "Ghi chú lạ"}, {}),
    "contacts_api.merge": ({"other_id": T("contact2")}, {}),
    "contacts_api.create_contact": ({"department": T("code"), "full_name": "Phóng viên mới", "outlet": "Báo mới",
                                     "outlet_type": "online"}, {}),
    "contacts_api.import_file": ({"department": T("code"), "dry_run": "false", "file": File(
        "contacts.csv", "full_name,outlet,outlet_type,email\nPhóng viên nhập,Báo nhập,online,nhap@example.vn\n")}, {}),
    # briefings
    "briefings.edit": ({"title": "Họp báo bị đổi", "starts_at": "2026-07-20T09:00", "ends_at": "2026-07-20T11:00",
                        "status": "planned", "contact_ids": [T("contact")], "speaker_ids": [T("user")]}, {}),
    "briefings.new": ({"department": T("code"), "title": "Họp báo mới", "starts_at": "2026-07-21T09:00",
                       "status": "planned", "contact_ids": [T("contact")], "speaker_ids": [T("user")]}, {}),
    "briefings.attendance": ({"attended": [T("invitation")]}, {}),
    "briefings.send_invitations": ({"resend_all": "1"}, {}),
    "briefings.plan": ({"department": T("code"), "use_2026Q3": "1", "date_2026Q3": "2026-07-15",
                        "time_2026Q3": "09:00", "title_2026Q3": "Họp báo quý III"}, {}),
    "briefings_api.patch_briefing": ({"title": "Họp báo bị đổi", "contact_ids": [T("contact")],
                                      "speaker_ids": [T("user")]}, {}),
    "briefings_api.create_briefing": ({"department": T("code"), "title": "Họp báo mới",
                                       "starts_at": "2026-07-21T09:00:00+07:00", "contact_ids": [T("contact")],
                                       "speaker_ids": [T("user")]}, {}),
    # incidents
    "incidents.edit": ({"title": "Sự cố bị đổi", "category": "misinformation", "severity": "critical",
                        "occurred_at": "2026-06-26T07:30"}, {}),
    "incidents.change_status": ({"status": "contained"}, {}),
    "incidents.statement": ({"text": "Thông cáo lạ", "channel": "website", "published_at": "2026-06-26T08:10",
                             "approved_by": T("user")}, {}),
    "incidents.scenario": ({"scenario": SCENARIO}, {}),
    "incidents.new": ({"department": T("code"), "title": "Sự cố mới", "category": "misinformation",
                       "severity": "medium", "occurred_at": "2026-06-26T07:40"}, {}),
    "incidents.policy": ({"department": T("code"), "timeout_minutes": "20", "critical_timeout_minutes": "10",
                          "members_2": T("user_email")}, {}),
    "incidents_api.update": ({"title": "Sự cố bị đổi", "severity": "critical"}, {}),
    "incidents_api.statement": ({"text": "Thông cáo lạ", "channel": "website", "approved_by": T("user")}, {}),
    "incidents_api.create": ({"department": T("code"), "title": "Diễn tập mới", "category": "misinformation",
                              "severity": "medium", "occurred_at": "2026-06-26T07:40:00+07:00", "drill": True,
                              "drill_recipients": [T("user")]}, {}),
    # inquiries
    "inquiries.save_draft": ({"answer": "Trả lời lạ"}, {}),
    "inquiries.transition": ({"to": "assigned", "assignee": T("user")}, {}),
    "inquiries.new": ({"department": T("code"), "received_at": "2026-06-26T07:45", "channel": "phone",
                       "journalist": "Nhà báo", "contact_id": T("contact"), "subject": "Câu hỏi mới",
                       "incident_id": T("incident")}, {}),
    "inquiries.import_eml": ({"department": T("code"), "file": File(
        "thu.eml", "From: Nhà báo <nb@example.vn>\nSubject: Hỏi về kỳ thi\n\nXin hỏi lịch thi.\n")}, {}),
    "inquiries.settings": ({"department": T("code"), "approver": "director", "default_hours": "12",
                            "due_soon_minutes": "30"}, {}),
    "inquiries.settings_mailbox": ({"department": T("code"), "address": "la@example.vn", "host": "imap.la.example",
                                    "port": "993", "security": "tls", "username": "la", "password": "mat-khau-la",
                                    "folder": "INBOX", "enabled": "1", "action": "save"}, {}),
    "inquiries.received": ({"received_at": "2026-06-26T06:00"}, {}),
    "inquiries_api.transition": ({"to": "assigned", "assignee": T("user_email")}, {}),
    "inquiries_api.create": ({"department": T("code"), "subject": "Câu hỏi mới", "contact_id": T("contact"),
                              "incident_id": T("incident")}, {}),
    # spokespersons
    "spokespersons.assign": ({"user_id": T("user"), "kind": "authorized", "topics": "Tuyển sinh",
                              "decision_number": "99/QĐ-SGDĐT", "decision_date": "2026-06-20",
                              "effective_to": "2026-09-30T17:00"}, {}),
    "spokespersons.end": ({"effective_to": "2026-06-30T17:00"}, {}),
    "spokespersons_api.assign": ({"user_id": T("user"), "kind": "authorized", "topics": ["Tuyển sinh"],
                                  "decision_number": "99/QĐ-SGDĐT", "decision_date": "2026-06-20",
                                  "effective_to": "2026-09-30T17:00:00+07:00"}, {}),
    "spokespersons_api.end": ({"effective_to": "2026-06-30T17:00:00+07:00"}, {}),
    # plans (the Department is always the user's own: exercised by the department sweep)
    "plans.edit_own": ({"title": "Kế hoạch bị đổi", "body": "Nội dung lạ", "themes": [THEMES[0]],
                        "action": "submit"}, {}),
    "plans_api.put_department_plan": ({"title": "Kế hoạch bị đổi", "body": "Nội dung lạ", "themes": [THEMES[0]],
                                       "submit": True}, {}),
    # good stories
    "stories.edit": ({"title": "Câu chuyện bị đổi", "summary": "Tóm tắt lạ"}, {}),
    "stories.transition": ({"action": "unpublish", "note": "Gỡ lạ"}, {}),
    "stories.add_person": ({"name": "Người lạ", "role": "teacher"}, {}),
    "stories.add_consent": ({"given_by": "Người lạ", "given_as": "self", "scope": "name",
                             "consented_on": "2026-06-20"}, {}),
    "stories.withdraw_consent": ({"reason": "Rút lạ"}, {}),
    "stories.add_coverage": ({"outlet": "Báo lạ", "url": "https://bao.example/la.html",
                              "published_on": "2026-06-25"}, {}),
    "stories.add_to_briefing": ({"briefing_id": T("briefing")}, {}),
    "stories.pitch": ({"contact_ids": [T("contact")]}, {}),
    "stories_api.add_person": ({"name": "Người lạ", "role": "teacher"}, {}),
    "stories_api.add_consent": ({"given_by": "Người lạ", "given_as": "self", "scope": ["name"],
                                 "consented_on": "2026-06-20"}, {}),
    "stories_api.withdraw_consent": ({"reason": "Rút lạ"}, {}),
    "stories_api.transition": ({"action": "publish"}, {}),
    "stories_api.add_coverage": ({"outlet": "Báo lạ", "url": "https://bao.example/la.html",
                                  "published_on": "2026-06-25"}, {}),
    "stories_api.pitch": ({"contact_ids": [T("contact")]}, {}),
    # press mentions
    "monitoring.triage": ({"state": "ignored", "tone": "negative", "note": "Ghi chú lạ"}, {}),
    "monitoring.create_incident": ({"title": "Sự cố lạ", "category": "misinformation", "severity": "medium"}, {}),
    "monitoring.link_incident": ({"incident_id": T("incident")}, {}),
    "monitoring.log_inquiry": ({"journalist_name": "Nhà báo lạ"}, {}),
    "monitoring.record_correction": ({"text": "Cải chính lạ", "channel": "website"}, {}),
    "monitoring.capture": ({"department": T("code"), "link": "https://bao.example/tin-la.html",
                            "title": "Tin lạ về Sở"}, {}),
    "monitoring.terms": ({"department": T("code"), "text": "Từ khóa lạ", "kind": "term"}, {}),
    "monitoring_api.triage": ({"state": "ignored", "tone": "negative", "note": "Ghi chú lạ"}, {}),
    "monitoring_api.incident": ({"incident_id": T("incident")}, {}),
    "monitoring_api.push_mention": ({"department": T("code"), "link": "https://bao.example/tin-la.html",
                                     "title": "Tin lạ về Sở"}, {}),
    # training
    "training.edit": ({"title": "Khóa bị đổi", "starts_on": "2026-05-11", "topics": ["social_media"]}, {}),
    "training.add_participants": ({"user_id": T("user"), "focal_point_id": T("focal_point")}, {}),
    "training_api.update_course": ({"title": "Khóa bị đổi"}, {}),
    "training_api.add_participant": ({"user_id": T("user")}, {}),
    "training_api.add_focal_point": ({"focal_point_id": T("focal_point")}, {}),
    "training_api.mark": ({"attendance": "absent"}, {}),
    # network
    "network.edit_school": ({"name": "Trường bị đổi", "level": "upper_secondary", "ownership": "public"}, {}),
    "network.new_focal_point": ({"full_name": "Đầu mối lạ", "kind": "comms_contact"}, {}),
    "network.edit_focal_point": ({"full_name": "Đầu mối bị đổi", "kind": "comms_contact"}, {}),
    "network.focal_point_account": ({"email": "dau-moi-la@example.vn", "password": "Mat-khau-la-2026!"}, {}),
    "network.group": ({"name": "Nhóm bị đổi", "description": "Mô tả lạ"}, {}),
    "network.group_schools": ({"school": [T("school")]}, {}),
    "network_api.update_school": ({"name": "Trường bị đổi"}, {}),
    "network_api.create_focal_point": ({"full_name": "Đầu mối lạ"}, {}),
    "network_api.update_focal_point": ({"full_name": "Đầu mối bị đổi"}, {}),
    "network_api.update_group": ({"name": "Nhóm bị đổi", "add_schools": [T("school")]}, {}),
    # orientation
    "orientation.edit": ({"subject": "Định hướng bị đổi", "holding_line": "Câu trả lời lạ",
                          "school_ids": [T("school")]}, {}),
    "orientation_api.create_message": ({"subject": "Định hướng mới", "holding_line": "Câu trả lời mới",
                                        "incident_id": T("incident"), "targets": {"school_ids": [T("school")]}}, {}),
    "orientation_api.list_messages": ({}, {"incident": T("incident")}),
    "orientation_api.update_message": ({"subject": "Định hướng bị đổi",
                                        "targets": {"school_ids": [T("school")]}}, {}),
    # query references
    "scenarios.playbook": ({}, {"incident": T("incident"), "department": T("code")}),
    "scenarios_api.render": ({}, {"incident": T("incident"), "department": T("code")}),
}

SLOTS = ("api_token", "assignment", "attachment", "briefing", "checklist_item", "code", "contact", "contact2",
         "contact_import",
         "distribution", "incident", "inquiry", "invitation", "notification", "plan", "user", "user_email",
         "story", "story_person", "story_consent", "story_photo", "mention", "department_term", "course",
         "course_material", "course_participant", "focal_point", "school", "group", "orientation_message")


def missing_value(slot):
    """A value of the slot's kind that no record has (a different one per slot)."""
    return {"code": MISSING_CODE, "user_email": MISSING_EMAIL,
            "contact_import": "0" * 32}.get(slot, MISSING_ID + SLOTS.index(slot))


# --- the two Departments' records ------------------------------------------------------------------------------

def _build_side(factory, code, scenario):
    """One record of every Department-owned type, through the domain services, each carrying the side's mark."""
    from crisiscomm.briefings import feeds as briefing_feeds
    from crisiscomm.briefings import invitations as briefing_invitations
    from crisiscomm.briefings import service as briefings
    from crisiscomm.contacts import service as contacts
    from crisiscomm.incidents import policies as incident_policies, service as incidents
    from crisiscomm.incidents import statement_clock
    from crisiscomm.inquiries import service as inquiries
    from crisiscomm.notifications.models import IN_APP, Notification
    from crisiscomm.plans import service as plans
    from crisiscomm.scenarios import service as scenarios
    from crisiscomm.spokespersons import service as spokespersons
    from crisiscomm.users.models import ApiToken

    mark = "ZQX" + code.replace("-", "").upper()  # ZQXHANOI: must never reach another Department
    dep = factory.department(code)
    s = SimpleNamespace(code=code, department=dep, mark=mark)
    s.director = factory.user("director", department=code, name=f"Giám đốc {code}")
    s.spokesperson = factory.user("spokesperson", department=code, name=f"Phát ngôn {code}")
    s.officer = factory.user("comms_officer", department=code, name=f"Truyền thông {code}")

    s.contact = contacts.create_contact(department=dep, full_name=f"Phóng viên {mark}", outlet=f"Báo {mark}",
                                        outlet_type="provincial", email=f"pv1.{code}@bao.example",
                                        phones=["0901234567"], notes=f"Ghi chú {mark}")
    s.contact2 = contacts.create_contact(department=dep, full_name=f"Phóng viên hai {mark}", outlet=f"Đài {mark}",
                                         outlet_type="broadcast", email=f"pv2.{code}@bao.example")
    # The official spokesperson is on the public page; the decision number and the note are not.
    s.assignment = spokespersons.assign(department=dep, user=s.spokesperson, kind="official",
                                        decision_number=f"12/QĐ-{mark}", decision_date="2026-06-01",
                                        effective_from="2026-06-01T08:00:00+07:00", note=f"Nội bộ {mark}",
                                        public_phone="0243 826 3125")
    s.briefing = briefings.create_briefing(department=dep, user=s.director, data={
        "title": f"Họp báo {mark}", "starts_at": "2026-07-10T09:00:00+07:00", "topics": f"Chủ đề {mark}",
        "contact_ids": [s.contact.id], "speaker_ids": [s.director.id]})
    briefing_invitations.send_invitations(briefing=s.briefing)
    s.invitation = s.briefing.invitations[0]
    s.feed = briefing_feeds.regenerate_feed(department=dep, user=s.director)
    s.policy = incident_policies.save_policy(actor=s.director, department=dep, timeout_minutes=30,
                                            critical_timeout_minutes=15,
                                            members_text={2: f"Thành viên {mark} <tv.{code}@example.vn>"})
    s.incident = incidents.create_incident(actor=s.officer, department=dep, data={
        "title": f"Sự cố {mark}", "category": "misinformation", "severity": "high",
        "occurred_at": "2026-06-26T07:30:00+07:00", "place": f"Trường {mark}", "description": f"Mô tả {mark}",
        "scenario": scenario.slug})  # the playbook gives it checklist items
    s.checklist_item = s.incident.checklist[0]
    earlier = incidents.create_incident(actor=s.officer, department=dep, data={
        "title": f"Sự cố trước {mark}", "category": "misinformation", "severity": "medium",
        "occurred_at": "2026-06-25T07:30:00+07:00"})
    s.statement = statement_clock.record_first_statement(
        incident=earlier, actor=s.director, text=f"Thông cáo {mark}", channel="website",
        published_at="2026-06-26T08:00:00+07:00", approved_by=s.director.id)
    s.inquiry = inquiries.create_inquiry(user=s.officer, department=dep, subject=f"Câu hỏi {mark}",
                                         contact_id=s.contact.id, questions=f"Hỏi {mark}",
                                         incident_id=s.incident.id)
    # A file that came with the inquiry's email, and the press mailbox the Department connected.
    from crisiscomm.inquiries import files, mailbox
    from crisiscomm.inquiries.models import InquiryAttachment

    files.store_all(inquiry=s.inquiry, attachments=[{"filename": f"{mark}.txt", "content_type": "text/plain",
                                                     "data": f"Công văn {mark}".encode()}])
    db.session.flush()
    s.attachment = db.session.scalar(select(InquiryAttachment).where(InquiryAttachment.inquiry_id == s.inquiry.id))
    mailbox.save_mailbox(department=dep, user=s.director, address=f"baochi.{code}@example.vn",
                         host="imap.example.vn", username=f"baochi.{code}", password=f"mat-khau-{mark}")
    s.adaptation, _warnings = scenarios.save_adaptation(
        scenario=scenario, department=dep, body=scenario.version().body + f"\nGhi chú riêng {mark}\n",
        user=s.director)
    from crisiscomm.contacts import imports

    s.contact_import = imports.stash(department=dep, user=s.director, filename=f"Danh sách {mark}.csv",
                                     data=f"Họ và tên,Cơ quan báo chí\nPhóng viên nhập {mark},Báo {mark}\n".encode())
    imports.save_mapping(upload=s.contact_import, mapping={"header_row": 1, "columns": {"A": "full_name",
                                                                                       "B": "outlet"},
                                                           "default_outlet_type": "provincial"})
    imports.remember(department=dep, headers={"ho va ten": "full_name"}, default_outlet_type="provincial")
    s.plan = plans.save_department_plan(department=dep, school_year=YEAR, title=f"Kế hoạch {mark}",
                                        body=f"Nội dung {mark}", themes=[THEMES[0]], user=s.director, submit=True)
    s.story = _story(s, dep)
    from crisiscomm.monitoring import service as monitoring, settings as monitoring_settings

    from PIL import Image

    shot = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(shot, "JPEG")
    s.mention = monitoring.capture(user=s.officer, department=dep, link=f"https://bao.example/{code}.html",
                                   title=f"Tin về Sở {mark}", text=f"Nội dung {mark}",
                                   screenshot=shot.getvalue())  # /monitoring/mentions/<id>/screenshot.jpg
    assert s.mention.screenshot is not None
    s.department_term = monitoring_settings.add_department_term(user=s.officer, department=dep, text=f"Từ {mark}")
    s.course = _course(s)
    s.focal_point = _focal_point(s, dep)
    s.school, s.group = s.focal_point.school, s.focal_point.school.groups[0]
    s.orientation_message = _orientation_message(s)
    db.session.flush()
    s.client_token = factory.token(s.director)  # what the side's own API client sends
    factory.token(s.director)  # a second one: the token the other side tries to revoke
    s.api_token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == s.director.id)
                                     .order_by(ApiToken.id.desc())).first()
    s.notification = db.session.scalars(select(Notification).where(
        Notification.recipient_id == s.director.id, Notification.channel == IN_APP)).first()
    assert s.notification is not None and mark in s.notification.subject  # the incident alert, with a link
    s.slots = {"contact": s.contact.id, "contact2": s.contact2.id, "assignment": s.assignment.id,
               "briefing": s.briefing.id, "invitation": s.invitation.id, "incident": s.incident.id,
               "checklist_item": s.checklist_item.id, "inquiry": s.inquiry.id, "plan": s.plan.id,
               "attachment": s.attachment.id,
               "notification": s.notification.id, "api_token": s.api_token.id, "code": code,
               "user": s.officer.id, "user_email": s.officer.email, "contact_import": s.contact_import.token,
               "story": s.story.id, "story_person": s.story.people[0].id,
               "story_consent": s.story.people[0].consents[0].id, "story_photo": s.story.photos[0].id,
               "mention": s.mention.id, "department_term": s.department_term.id, "course": s.course.id,
               "course_material": s.course.materials[0].id, "course_participant": s.course.participants[0].id,
               "focal_point": s.focal_point.id, "school": s.school.id, "group": s.group.id,
               "orientation_message": s.orientation_message.id}
    s.secrets = [mark, s.feed.calendar_token, s.client_token]  # none of these may appear to another Department
    return s


def _story(s, dep):
    """An approved good story: a teacher named with two consents (the first with its signed form), one photo."""
    from PIL import Image

    from crisiscomm.stories import service as stories

    story = stories.create_story(department=dep, user=s.officer, title=f"Gương tốt {s.mark}",
                                 summary=f"Tóm tắt {s.mark}", topics=["innovation"])
    person = stories.add_person(story=story, user=s.officer, name=f"Cô giáo {s.mark}", role="teacher",
                                shows_school=False)
    for form in ((f"phieu-{s.mark}.pdf", "application/pdf", f"%PDF-1.4 {s.mark}".encode()), None):
        stories.record_consent(person=person, user=s.officer, given_by=person.name, scope=["name"],
                               consented_on="2026-06-01", form=form)
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 60)).save(photo, "JPEG")
    stories.add_photo(story=story, user=s.officer, data=photo.getvalue(), caption=f"Ảnh {s.mark}")
    stories.transition(story=story, user=s.officer, action="verify", note=f"Xác minh {s.mark}")
    stories.transition(story=story, user=s.director, action="approve")
    return story


def _course(s):
    """A training course of the Department with a file and its officer attending."""
    from datetime import date

    from crisiscomm.training import service as training

    course = training.create_course(user=s.director, title=f"Tập huấn {s.mark}", starts_on=date(2026, 5, 10),
                                    topics=["crisis_communication"])
    training.add_file(course=course, user=s.director, filename=f"tai-lieu-{s.mark}.pdf",
                      data=f"%PDF-1.4 {s.mark}".encode())
    row = training.add_participant(course=course, user=s.director, person_id=s.officer.id)
    training.set_attendance(course=course, user=s.director, participant=row, attendance="attended")
    return course


def _focal_point(s, dep):
    """A school of the Department and its communication focal point."""
    from crisiscomm.network.models import FocalPoint, NetworkGroup, School

    school = School(department_id=dep.id, name=f"Trường {s.mark}", level="upper_secondary")
    focal = FocalPoint(department_id=dep.id, school=school, full_name=f"Đầu mối {s.mark}",
                       email=f"daumoi.{s.code}@truong.example")  # an orientation reaches them by email
    db.session.add_all([school, focal, NetworkGroup(department_id=dep.id, name=f"Nhóm {s.mark}", schools=[school])])
    db.session.flush()
    return focal


def _orientation_message(s):
    """An orientation message the Department drafted for its school (a draft: its edit page and its send are
    reachable too; the sweep's own send then makes remind work)."""
    from crisiscomm.orientation import service as orientation

    return orientation.create_message(user=s.officer, data={
        "subject": f"Định hướng {s.mark}", "holding_line": f"Câu trả lời {s.mark}",
        "targets": {"school_ids": [s.school.id]}})


@pytest.fixture
def world(app, factory, clock, tmp_path):
    from crisiscomm.inquiries.grounds import seed_refusal_grounds
    from crisiscomm.plans import service as plans
    from crisiscomm.rules.service import seed_defaults
    from crisiscomm.scenarios import distribution
    from crisiscomm.scenarios import service as scenarios

    app.config["ATTACHMENT_DIR"] = str(tmp_path / "attachments")
    factory.departments()
    seed_defaults()
    seed_refusal_grounds()
    write(tmp_path, f"{SCENARIO}.md", valid_text())
    assert scenarios.sync(str(tmp_path)).ok
    ministry = factory.user("ministry_comms", name="Trung tâm truyền thông Bộ")
    admin = factory.user("ministry_admin", name="Quản trị Bộ")
    plans.publish_ministry_plan(school_year=YEAR, title="Kế hoạch truyền thông của Bộ", body="Mục tiêu",
                                themes=THEMES, key_dates=[], user=ministry)
    scenario = scenarios.get_scenario(SCENARIO)
    db.session.commit()
    sides = {code: _build_side(factory, code, scenario) for code in (A, B)}
    for record in distribution.distribute(scenario=scenario, version=1, departments=[A, B], by=ministry):
        sides[record.department.code].slots["distribution"] = record.id
    db.session.commit()
    return SimpleNamespace(a=sides[A], b=sides[B], admin=admin, scenario=scenario)


# --- snapshots -------------------------------------------------------------------------------------------------

def _tables():
    return [t for t in db.metadata.sorted_tables if not t.name.startswith("apscheduler")]


def database_state():
    """Every row of every table, read from the database."""
    db.session.expire_all()
    with db.engine.connect() as conn:
        return {t.name: sorted(tuple(str(v) for v in row) for row in conn.execute(t.select())) for t in _tables()}


def owned_rows(state, department_id):
    """The rows that belong to a Department: its own row and every row referencing one of its rows, transitively
    (its records, its users, their tokens and messages, its incidents' events and checklist, …)."""
    owned_ids, result, changed = {("department", str(department_id))}, {}, True
    while changed:
        changed = False
        for table in _tables():
            columns = [c.name for c in table.columns]
            id_at = columns.index("id") if "id" in columns else None
            refs = [(columns.index(fk.parent.name), fk.column.table.name) for fk in table.foreign_keys]
            mine = result.setdefault(table.name, set())
            for row in state[table.name]:
                if row not in mine and ((table.name, row[id_at] if id_at is not None else None) in owned_ids
                                        or any((ref, row[i]) in owned_ids for i, ref in refs)):
                    mine.add(row)
                    if id_at is not None:
                        owned_ids.add((table.name, row[id_at]))
                    changed = True
    return {name: sorted(rows) for name, rows in result.items() if rows}


def describe_change(before, after):
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = set(before.get(name, [])), set(after.get(name, []))
        if old != new:
            lines.append(f"    {name}: removed {sorted(old - new)[:2]} added {sorted(new - old)[:2]}")
    return "\n".join(lines)


# --- requests and answers --------------------------------------------------------------------------------------

def response_text(response):
    """What a response shows: its text, the XML inside an .xlsx or .docx, or a PDF's text (pdftotext)."""
    data = response.get_data()
    if data[:4] == b"%PDF":
        import subprocess

        result = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True)
        if result.returncode == 0:
            return result.stdout.decode()
        # not a readable PDF (an uploaded attachment that only starts like one): its bytes are what it shows
        return data.decode("latin-1")
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return data.decode("utf-8", "replace")


def _department_values(payload):
    if isinstance(payload, dict):
        for k, v in payload.items():
            if k == "department" and isinstance(v, str):
                yield v
            yield from _department_values(v)
    elif isinstance(payload, list):
        for v in payload:
            yield from _department_values(v)


def leaks(response, side):
    """What of ``side``'s data the answer shows: its marks and secrets, or a JSON record of its Department."""
    text = response_text(response)
    found = [s for s in side.secrets if s in text]
    if response.mimetype == "application/json":
        found += [f'"department": "{side.code}"'
                  for d in _department_values(response.get_json(silent=True)) if d == side.code]
    return found


class Browser:
    """A signed-in user: the web pages with the session cookie (forms carry the page's CSRF token) and the API
    with a bearer token."""

    def __init__(self, factory, user, token=None):
        self.web = factory.login(user)
        self.csrf = csrf_token(self.web.get("/"))
        self.token = token or factory.token(user)
        self.api = factory.app.test_client()
        # A token notes its first use (last_used_at, then at most once a minute; the clock is frozen): use it once
        # here, so that no request of the sweep counts that note as a write.
        self.api.get(API_PREFIX + "/me", headers={"Authorization": f"Bearer {self.token}"})

    def send(self, method, url, body=None, query=None):
        body = body or {}
        kw = {"method": method, "query_string": query or {}}
        files = any(isinstance(v, File) for v in body.values())
        form = {k: (io.BytesIO(v.content.encode()), v.name) if isinstance(v, File) else v for k, v in body.items()}
        if url.startswith(API_PREFIX + "/"):
            client = self.api
            kw["headers"] = {"Authorization": f"Bearer {self.token}"}
            if method in WRITES and files:
                kw["data"] = form  # multipart, like a file upload
            elif method in WRITES:
                kw["json"] = body
        else:
            client = self.web
            if method in WRITES:
                kw["data"] = {"csrf_token": self.csrf, **form}
        # buffered: the body is read and the response closed (a file response would leak its handle).
        return client.open(url, buffered=True, **kw)


# --- what to request -------------------------------------------------------------------------------------------

@dataclass
class Case:
    """One rule, one method, one set of non-record path values; its slots take A's, B's or missing records."""
    rule: object
    method: str
    fixed: dict
    path_slots: dict
    body: dict
    query: dict

    def positions(self):
        """[(position, slot)]: each path argument, and each record the body or query refers to (once, however
        many fields name it: a merge's ``contact_ids`` and ``keep_id`` name the same contact)."""
        refs = sorted({s for s in _slots_in(self.body)} | {s for s in _slots_in(self.query)})
        return list(self.path_slots.items()) + [(f"ref:{s}", s) for s in refs]

    def build(self, world, owners):
        """(url, body, query) with each position taken from its owner: "a", "b" (the default) or "missing"."""
        def value(position, slot):
            owner = owners.get(position, "b")
            return missing_value(slot) if owner == "missing" else getattr(world, owner).slots[slot]

        def reference(slot):
            return value(f"ref:{slot}", slot)

        path = {**self.fixed, **{arg: value(arg, slot) for arg, slot in self.path_slots.items()}}
        url = self.rule.build(path, append_unknown=False)[1]
        return url, _fill(self.body, reference), _fill(self.query, reference)

    def label(self, owners):
        return f"{self.method} {self.rule.rule} [" + ", ".join(f"{p}={o}" for p, o in sorted(owners.items())) + "]"


def _slots_in(spec):
    if isinstance(spec, dict):
        for v in spec.values():
            yield from _slots_in(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from _slots_in(v)
    elif isinstance(spec, T):
        yield spec.slot


def _fill(spec, value):
    if isinstance(spec, dict):
        return {k: _fill(v, value) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_fill(v, value) for v in spec]
    return value(spec.slot) if isinstance(spec, T) else spec


def _methods(rule):
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def _fixed_values(rule):
    """Each combination of the path values that are not records (every verb of an <any(...)>)."""
    options = {}
    for arg in rule.arguments:
        if isinstance(rule._converters.get(arg), AnyConverter):
            options[arg] = sorted(rule._converters[arg].items)
        elif arg in NOT_DEPARTMENT_ARGS:
            options[arg] = [NOT_DEPARTMENT_ARGS[arg][1]]
    keys = sorted(options)
    for combo in itertools.product(*(options[k] for k in keys)):
        yield dict(zip(keys, combo))


def _unknown_arguments(rule):
    return sorted(set(rule.arguments) - set(RECORD_ARGS) - set(NOT_DEPARTMENT_ARGS))


def classify(app):
    """(cases, unmapped): a Case per rule, method and verb whose path, body or query names a record; and the
    rules with a path argument this file cannot place."""
    cases, unmapped = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint in ALLOWED or rule.endpoint in SESSION_ENDPOINTS:
            continue
        if _unknown_arguments(rule):
            unmapped.append(f"{rule.rule} ({rule.endpoint}): {', '.join(_unknown_arguments(rule))}")
            continue
        path_slots = {arg: RECORD_ARGS[arg] for arg in rule.arguments if arg in RECORD_ARGS}
        body, query = BODIES.get(rule.endpoint, ({}, {}))
        for method in _methods(rule):
            for fixed in _fixed_values(rule):
                case = Case(rule, method, fixed, path_slots, body if method in WRITES else {},
                            query if method == "GET" else {})
                if case.positions():
                    cases.append(case)
    return cases, unmapped


def owner_combinations(case):
    """Every way to put A's records in the case's positions (at least one), the others being B's own."""
    positions = [p for p, _ in case.positions()]
    for owners in itertools.product(("a", "b"), repeat=len(positions)):
        if "a" in owners:
            yield dict(zip(positions, owners))


# --- the map -----------------------------------------------------------------------------------------------------

def test_every_route_naming_a_record_is_mapped_or_allow_listed(app):
    cases, unmapped = classify(app)
    assert not unmapped, ("Routes with a path argument this test cannot place: map it to a Department's record in "
                          "RECORD_ARGS, or say in NOT_DEPARTMENT_ARGS / ALLOWED why it is not one:\n  " +
                          "\n  ".join(unmapped))
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    arguments = {a for r in app.url_map.iter_rules() for a in r.arguments}
    stale = (sorted(set(ALLOWED) - endpoints) + sorted(set(BODIES) - endpoints)
             + sorted(MINISTRY_FORBIDDEN_FORMS - endpoints)
             + sorted(set(RECORD_ARGS) - arguments) + sorted(set(NOT_DEPARTMENT_ARGS) - arguments))
    assert not stale, f"entries naming routes or arguments that no longer exist: {stale}"
    assert {s for c in cases for s in c.path_slots.values()} == set(RECORD_ARGS.values())
    assert {s for c in cases for _p, s in c.positions()} == set(SLOTS)


def test_every_api_field_naming_a_record_is_exercised(app):
    """A new ``…_id`` in an API body or query (as documented in /api/v1/openapi.json) must be added to BODIES,
    so it is tried with A's record; ``department`` is tried everywhere by the department sweep."""
    missing = []
    for path, operations in openapi_document(app)["paths"].items():
        for method, op in operations.items():
            names = {p["name"] for p in op["parameters"] if p["in"] == "query"}
            for content in op.get("requestBody", {}).get("content", {}).values():
                names |= set(content["schema"].get("properties", {}))
            body, query = BODIES.get(op["operationId"].rsplit(".", 1)[0], ({}, {}))
            missing += [f"{method.upper()} {path}: {name}" for name in sorted(names)
                        if REFERENCE_FIELD.search(name) and name not in NOT_DEPARTMENT_FIELDS
                        and name not in body and name not in query]
    assert not missing, "API fields naming a record that BODIES does not try with A's record:\n  " + "\n  ".join(
        missing)


def test_the_world_has_a_record_of_every_department_owned_type(world):
    owned = [m for m in model_classes() if isinstance(m, type) and issubclass(m, DepartmentOwned)]
    assert len(owned) >= 11
    empty = [m.__name__ for m in owned if not db.session.scalar(
        select(db.func.count()).select_from(m).where(m.department_id == world.a.department.id))]
    assert not empty, f"give _build_side a record of these Department-owned types: {empty}"
    assert set(world.a.slots) == set(world.b.slots) == set(SLOTS)


# --- Department B reaching for Department A's records ----------------------------------------------------------

class Watch:
    """Sends a user's requests and checks each one: a refused request (or a read) writes nothing, no request changes
    any of A's rows, no answer shows any of A's data, nothing is a server error."""

    def __init__(self, browser, world):
        self.browser, self.side, self.a_id = browser, world.a, world.a.department.id
        self.state, self.requests, self.problems = database_state(), 0, []

    def send(self, label, method, url, body=None, query=None):
        response = self.browser.send(method, url, body, query)
        before, self.state = self.state, database_state()
        self.requests += 1
        status = response.status_code
        if before != self.state:
            if status >= 400 or method == "GET":
                self.problems.append(f"{label}: {status} but wrote:\n{describe_change(before, self.state)}")
            elif owned_rows(before, self.a_id) != owned_rows(self.state, self.a_id):
                self.problems.append(f"{label}: {status} and A's data changed:\n" + describe_change(
                    owned_rows(before, self.a_id), owned_rows(self.state, self.a_id)))
        if leaks(response, self.side):
            self.problems.append(f"{label}: shows A's data {leaks(response, self.side)}")
        if status >= 500:
            self.problems.append(f"{label}: server error {status}")
        return response

    def verdict(self):
        return f"{len(self.problems)} problems in {self.requests} requests:\n" + "\n".join(self.problems)


@pytest.mark.parametrize("role", ["director", "comms_officer"])
def test_another_departments_record_is_404_and_stays_unchanged(app, factory, world, role):
    """Every rule and method with A's record in the path, the body or the query, as B's director (the widest
    Department role) and as B's communication officer; each compared with the same request for a missing record."""
    watch = Watch(Browser(factory, world.b.director if role == "director" else world.b.officer), world)
    cases, _ = classify(app)
    for case in cases:
        for owners in owner_combinations(case):
            label = case.label(owners)
            response = watch.send(label, case.method, *case.build(world, owners))
            missing = watch.send(f"{label} (a missing record)", case.method, *case.build(
                world, {p: "missing" if o == "a" else o for p, o in owners.items()}))
            if response.status_code != missing.status_code:
                watch.problems.append(f"{label}: {response.status_code}, but {missing.status_code} for a record "
                                      f"that does not exist")
            if any(owners.get(arg) == "a" for arg in case.path_slots) and response.status_code != 404 and not (
                    role != "director" and response.status_code == 403 == missing.status_code):
                # Below director, a role check that comes before the record is loaded may answer 403, the same
                # for any id; the director passes every role check, so meets the scoping: 404.
                watch.problems.append(f"{label}: {response.status_code}, expected 404")
    assert not watch.problems, watch.verdict()
    assert watch.requests >= 2 * 130


def test_department_parameter_naming_another_department_is_like_an_unknown_one(app, factory, world):
    """Every page and endpoint, with ``department=`` naming A in the query (and in the body of writes): the answer
    is the one for a Department that does not exist; it shows nothing of A and changes nothing of A. Every page
    without the parameter (B's own listings, B's own records) shows nothing of A either."""
    watch = Watch(Browser(factory, world.b.director), world)
    own = lambda slot: world.b.slots[slot]  # noqa: E731 - every other reference is B's own
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint in ALLOWED or rule.endpoint in SESSION_ENDPOINTS or _unknown_arguments(rule):
            continue
        body_spec, query_spec = BODIES.get(rule.endpoint, ({}, {}))
        for method in _methods(rule):
            for fixed in _fixed_values(rule):
                path = {**fixed, **{arg: own(RECORD_ARGS[arg]) for arg in rule.arguments if arg in RECORD_ARGS}}
                url = rule.build(path, append_unknown=False)[1]
                answers = {}
                for code in (A, MISSING_CODE) + ((None,) if method == "GET" else ()):  # None: B's own listing
                    department = {"department": code} if code else {}
                    body = {**_fill(body_spec, own), **department} if method in WRITES else {}
                    query = {**(_fill(query_spec, own) if method == "GET" else {}), **department}
                    response = watch.send(f"{method} {url} department={code}", method, url, body, query)
                    answers[code] = response.status_code
                    if method in WRITES and response.status_code < 400:
                        break  # it acted on B's own records (the parameter ignored); once is enough
                if MISSING_CODE in answers and answers[A] != answers[MISSING_CODE]:
                    watch.problems.append(f"{method} {url}: {answers[A]} for department={A} but "
                                          f"{answers[MISSING_CODE]} for a Department that does not exist")
    assert not watch.problems, watch.verdict()
    assert watch.requests >= 350


def test_an_escalation_policy_cannot_pull_in_another_departments_people(app, factory, world):
    """Found by the sweep above: a Hà Nội officer's email typed into Hồ Chí Minh City's escalation policy was
    matched to their account, so HCM's policy page showed their name (a lookup of another Department's people by
    email) and HCM's incidents landed in their in-app inbox. They now stay a plain email address."""
    from crisiscomm.notifications.models import EMAIL, IN_APP, Notification

    stranger, colleague = world.a.officer, world.b.spokesperson
    hcm = factory.login(world.b.director)
    response = hcm.post("/incidents/policy", data={
        "csrf_token": csrf_token(hcm.get("/incidents/policy")), "timeout_minutes": "20",
        "critical_timeout_minutes": "10", "members_1": f"{stranger.email}\n{colleague.email}"})
    assert response.status_code == 302
    page = hcm.get("/incidents/policy").get_data(as_text=True)
    assert stranger.email in page and stranger.name not in page  # nothing learnt about the stranger
    assert colleague.name in page  # HCM's own people are still recognised

    created = factory.api(world.b.officer).post("/api/v1/incidents", json={
        "title": "Ngộ độc thực phẩm bán trú", "category": "misinformation", "severity": "high",
        "occurred_at": "2026-06-26T07:50:00+07:00"})
    assert created.status_code == 201
    alerts = db.session.scalars(select(Notification).where(
        Notification.source_type == "incident", Notification.source_id == created.get_json()["id"])).all()
    assert [n for n in alerts if n.channel == EMAIL and n.address == stranger.email and n.recipient_id is None]
    assert not [n for n in alerts if n.channel == IN_APP and n.recipient_id == stranger.id]
    assert [n for n in alerts if n.channel == IN_APP and n.recipient_id == colleague.id]
    inbox = factory.login(stranger).get("/notifications/").get_data(as_text=True)
    assert "Ngộ độc thực phẩm bán trú" not in inbox


# --- positive control: the same requests by the owners ------------------------------------------------------------

def test_the_same_requests_by_the_owning_department_reach_the_records(app, factory, world):
    """A's director reads every page (200, showing the record) and no write is a 404; the Ministry admin reads
    every page too. So the ids and bodies above are the right ones, and B's 404s refuse requests that work."""
    director = Browser(factory, world.a.director, token=world.a.client_token)
    admin = Browser(factory, world.admin)
    cases, _ = classify(app)
    writes, problems = {}, []
    for case in sorted(cases, key=lambda c: c.method != "GET"):  # reads first: the writes change the records
        owners = {p: "a" for p, _ in case.positions()}
        label = case.label(owners)
        url, body, query = case.build(world, owners)
        response = director.send(case.method, url, body, query)
        if case.method != "GET":
            writes[label] = response.status_code
            if response.status_code == 404 or response.status_code >= 500:
                problems.append(f"{label} as A's director: {response.status_code}")
            continue
        if response.status_code != 200:
            problems.append(f"{label} as A's director: {response.status_code}")
        elif (set(case.path_slots.values()) - {"code"} and world.a.mark not in response_text(response)
              and not response.mimetype.startswith("image/")):  # a photo cannot carry a text mark
            problems.append(f"{label} as A's director: the record is not shown")
        expected = 403 if case.rule.endpoint in MINISTRY_FORBIDDEN_FORMS else 200
        if admin.send("GET", url, body, query).status_code != expected:
            problems.append(f"{label} as the Ministry admin: not {expected}")
    assert not problems, "\n".join(problems)
    refused = {k: v for k, v in writes.items() if v >= 400}
    # Most writes succeed; the others answer a state (already done, 405 for deleting an incident), not a 404.
    assert len(refused) <= len(writes) // 4, json.dumps(refused, indent=1, ensure_ascii=False)
