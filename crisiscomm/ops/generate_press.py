"""`flask demo generate`: the press side: contacts, press inquiries with their timelines and the statements of
the answered ones, and the periodic briefings with speakers and invitations."""
import bisect
from datetime import timedelta
from types import SimpleNamespace

from flask_babel import force_locale
from flask_babel import gettext as _

from ..briefings.models import CANCELLED, HELD, PLANNED, POSTPONED, Briefing, BriefingInvitation, briefing_speaker
from ..briefings.quarters import current_quarter, quarter_bounds, quarter_key, shift_quarter
from ..contacts import phones as phone_numbers
from ..contacts.models import Contact
from ..inquiries.models import (ANSWERED, ASSIGNED, AWAITING_APPROVAL, DECLINED, DRAFTING, RECEIVED, REFERRED,
                                Inquiry, InquiryEvent)
from ..inquiries.deadlines import compute_due
from ..inquiries.settings import department_settings
# why: the generator creates the accounts, so it names their roles (demo data, the one place besides permissions)
from ..statements.models import Statement
from ..text import fold
from . import generate_data as words
from .generate_base import BATCH, FLAT, INQUIRY_MONTHS, Base, Calendar, ContactRef, holding, minutes


class Press(Base):
    """The press phases: ``contacts()`` (each Department's press list), ``inquiries()`` (with their timelines and
    the statements of the answered ones) and ``briefings()`` (with speakers and invitations)."""

    def inquiry_messages(self):
        """The inquiry timeline's texts in Vietnamese (the msgids the inquiries services write)."""
        with force_locale("vi"):
            return {"logged": _("Logged via %(source)s"), "assigned": _("Assigned to %(name)s")}

    def due(self, department, received, channel, priority, linked):
        """(due_at, deadline_source, rule id) as intake computes them, one rule lookup per distinct case."""
        key = (department.id, self.rule_slot(received), channel, priority, linked)
        if key not in self._due:
            due_at, source, rule = compute_due(department=department, received_at=received, channel=channel,
                                               priority=priority, incident_linked=linked)
            self._due[key] = (due_at - received, source, rule.id if rule else None)
        offset, source, rule_id = self._due[key]
        return received + offset, source, rule_id

    # --- contacts ------------------------------------------------------------------------------------

    def contacts(self):
        rng = self.rng
        plan = self.plan(self.volumes["contacts"], FLAT)
        # A Department starts with its press list: a quarter of the contacts exist from the first weeks on.
        plan = [((self.start + timedelta(days=30 * rng.random())) if rng.random() < 0.25 else t, unit)
                for t, unit in plan]
        plan.sort(key=lambda item: (item[0], item[1].id))
        emails = {}
        for i in range(0, len(plan), BATCH):
            chunk = plan[i:i + BATCH]
            rows = [self.contact_row(t, unit, emails) for t, unit in chunk]
            ids = self.insert(Contact, rows, returning=True)
            for (t, unit), row, contact_id in zip(chunk, rows, ids):
                unit.contacts.append(ContactRef(t, contact_id, row["full_name"], row["outlet"], row["email"],
                                                row["archived"]))
        for unit in self.units:
            unit.contact_times = [c.created for c in unit.contacts]

    def contact_row(self, created, unit, emails):
        rng = self.rng
        department_id, origin, owner = unit.at(created)
        name = self.name()
        outlet, kind, domain = rng.choice(owner.outlets) if rng.random() < 0.55 else rng.choice(words.NATIONAL_OUTLETS)
        email = None
        if rng.random() < 0.88:
            parts = fold(name).split()
            local = f"{parts[-1]}.{''.join(p[0] for p in parts[:-1])}"
            n = emails.get((unit.id, local, domain), 0)
            emails[(unit.id, local, domain)] = n + 1
            email = f"{local}{n or ''}@{domain}"
        phones = [self.phone()] + ([self.phone()] if rng.random() < 0.15 else [])
        age = (self.now - created).days
        roll = rng.random()
        verified = None if roll < 0.08 else (
            self.now - timedelta(days=rng.uniform(0, min(365, age))) if roll < 0.72 or age <= 365
            else created + timedelta(days=rng.uniform(0, age - 365)))
        beat = rng.choice(words.BEATS)
        return {"department_id": department_id, "origin_department_id": origin, "full_name": name, "outlet": outlet,
                "outlet_type": kind, "beat": beat, "phones": phones, "email": email,
                "phone_numbers": [phone_numbers.canonical(p) for p in phones],
                "notes": rng.choice(words.NOTES) if rng.random() < 0.15 else None, "last_verified_at": verified,
                "archived": rng.random() < 0.07, "created_at": created, "updated_at": max(created, verified or created),
                "search_text": self.search_text(Contact.refresh_search_text, full_name=name, outlet=outlet,
                                                beat=beat, email=email, phones=phones)}

    # --- press inquiries -----------------------------------------------------------------------------

    def inquiries(self):
        plan = self.plan(self.volumes["inquiries"], INQUIRY_MONTHS)
        self.topics = [(t, [3 if m in t[3] else 1 for m in range(1, 13)]) for t in words.INQUIRY_TOPICS]
        for i in range(0, len(plan), BATCH):
            stories = [self.inquiry_story(unit, t) for t, unit in plan[i:i + BATCH]]
            ids = self.insert(Inquiry, [s.row for s in stories], returning=True)
            self.insert(InquiryEvent, [dict(e, inquiry_id=inquiry_id) for s, inquiry_id in zip(stories, ids)
                                       for e in s.events])
            self.insert(Statement, [dict(s.statement, source_id=inquiry_id) for s, inquiry_id in zip(stories, ids)
                                    if s.statement])

    def inquiry_story(self, unit, received):
        rng, horizon = self.rng, self.now
        logged = received + minutes(rng.uniform(1, 25))
        if logged > horizon:  # not logged yet: it came in a little earlier
            received, logged = received - (logged - horizon) - minutes(1), horizon - minutes(1)
        department_id, origin, owner = unit.at(received)
        staff = owner.staff
        ground = reason = None
        values = self.fill(received, owner.province_at(received, self.cutoff))
        k = bisect.bisect_right(unit.contact_times, received)
        contact = unit.contacts[rng.randrange(k)] if k else (unit.contacts[0] if unit.contacts else None)
        incident = None
        j = bisect.bisect_right(unit.incidents, (received,))
        recent = [x for x in unit.incidents[max(0, j - 5):j] if received - x[0] < timedelta(hours=48)]
        if recent and rng.random() < 0.35:
            incident = rng.choice(recent)
        if incident:
            subject, questions, answer = incident[2], words.INCIDENT_QUESTIONS, words.INCIDENT_ANSWER
        else:
            month = received.astimezone(self.tz).month
            topic = rng.choices([t for t, _w in self.topics], weights=[w[month - 1] for _t, w in self.topics])[0]
            subject, questions, answer = topic[:3]
        subject, questions, answer = subject.format(**values)[:300], questions.format(**values), answer.format(**values)
        channel = rng.choices(("phone", "email", "in_person", "social_media", "official_letter"),
                              weights=(40, 30, 8, 12, 10))[0]
        priority = rng.choices(("normal", "high", "urgent"), weights=(70, 22, 8))[0]
        source = "email" if channel == "email" and rng.random() < 0.3 else rng.choices(("form", "api"), (95, 5))[0]
        deadline = received + timedelta(hours=rng.choice((2, 4, 6, 8, 12, 24, 48))) if rng.random() < 0.3 else None
        due, deadline_source, rule_id = (deadline, "journalist", None) if deadline else self.due(
            owner.department, received, channel, priority, incident is not None)
        if contact:
            journalist, outlet, address = contact.name, contact.outlet, contact.email
        else:
            outlet, journalist, address = rng.choice(words.NATIONAL_OUTLETS)[0], self.name(), None
        sender = address if channel == "email" else None

        # The path to the outcome, then cut at now.
        creator = rng.choice(owner.holding("inquiry.desk"))  # who takes the calls logs it
        assignee = rng.choice(holding(staff, "post.comms", "post.spokesperson"))
        approver_role = department_settings(owner.department)["inquiry_approver"]
        approver = staff[approver_role][0]
        span = due - received
        roll = rng.random()
        outcome = ANSWERED if roll < 0.84 or not self.grounds and roll < 0.92 else DECLINED if roll < 0.92 \
            else REFERRED
        if outcome == ANSWERED:
            end = received + span * rng.uniform(0.25, 0.95) if rng.random() < unit.on_time \
                else due + span * rng.expovariate(2.0) + minutes(10)
        else:
            end = received + span * (rng.uniform(0.3, 1.1) if outcome == DECLINED else rng.uniform(0.1, 0.6))
        end = max(end, logged + minutes(20))
        path = [(logged, None, RECEIVED, creator, self.msg["logged"] % {"source": source})]

        def step(share, frm, to, actor, note=None):
            path.append((logged + (end - logged) * share, frm, to, actor, note))

        assigned_note = self.msg["assigned"] % {"name": assignee.name}
        if outcome == ANSWERED:
            step(rng.uniform(0.03, 0.15), RECEIVED, ASSIGNED, creator, assigned_note)
            step(rng.uniform(0.2, 0.35), ASSIGNED, DRAFTING, assignee)
            if rng.random() < 0.1:  # the approver sends it back once
                step(0.5, DRAFTING, AWAITING_APPROVAL, assignee)
                step(0.62, AWAITING_APPROVAL, DRAFTING, approver, rng.choice(words.RETURN_NOTES))
            step(rng.uniform(0.7, 0.85), DRAFTING, AWAITING_APPROVAL, assignee)
            step(1.0, AWAITING_APPROVAL, ANSWERED, approver)
        else:
            stop = rng.randrange(3)
            if stop >= 1:
                step(rng.uniform(0.05, 0.2), RECEIVED, ASSIGNED, creator, assigned_note)
            if stop == 2:
                step(rng.uniform(0.3, 0.5), ASSIGNED, DRAFTING, assignee)
            if outcome == DECLINED:
                weights = {"ongoing_investigation": 40, "minor_privacy": 20, "not_competent": 20,
                           "exam_confidential": 10, "personal_privacy": 8, "state_secret": 2}
                ground = rng.choices(self.grounds, weights=[weights.get(g[1], 5) for g in self.grounds])[0]
                reason = words.DECLINE_REASONS.get(ground[1], words.DECLINE_REASONS["not_competent"])
                note = f"{ground[2]}: {reason}"
            else:
                note = rng.choice(words.REFER_NOTES)
            step(1.0, path[-1][2], outcome, assignee if stop else creator, note)
        if received > horizon - timedelta(days=90) and rng.random() < 0.005:
            path = path[:rng.randrange(1, len(path))]  # forgotten: it stays open, overdue
        applied = [p for p in path if p[0] <= horizon]
        state = applied[-1][2]
        states = {p[2] for p in applied}
        answered = applied[-1][0] if state == ANSWERED else None
        row = {"department_id": department_id, "origin_department_id": origin, "received_at": received,
               "channel": channel, "contact_id": contact.id if contact else None, "journalist_name": journalist,
               "outlet": outlet, "sender_email": sender, "subject": subject, "questions": questions,
               "priority": priority, "journalist_deadline": deadline, "due_at": due,
               "deadline_source": deadline_source, "deadline_rule_id": rule_id,
               "incident_id": incident[1] if incident else None, "state": state, "source": source,
               "assignee_id": assignee.id if ASSIGNED in states else None, "created_by_id": creator.id,
               "answer_draft": answer if AWAITING_APPROVAL in states else "",
               "approved_text": answer if answered else None, "approved_by_id": approver.id if answered else None,
               "approved_at": answered, "answered_at": answered,
               "decline_reason": reason if state == DECLINED else None,
               "refusal_ground_id": ground[0] if state == DECLINED else None,
               "closed_at": applied[-1][0] if state in (ANSWERED, DECLINED, REFERRED) else None,
               "version": len(applied), "created_at": logged, "updated_at": applied[-1][0]}
        row["search_text"] = self.search_text(Inquiry.refresh_search_text, subject=subject, questions=questions,
                                              journalist_name=journalist, outlet=outlet, sender_email=sender)
        events = [{"at": at, "actor_id": actor.id, "from_state": frm, "to_state": to, "note": note}
                  for at, frm, to, actor, note in applied]
        statement = None
        if answered:
            # said after the merger: the successor's own statement
            statement = {"department_id": department_id, "origin_department_id": unit.at(answered)[1],
                         "source_type": "inquiry",
                         "subject": subject, "text": answer, "channel": channel, "approved_by_id": approver.id,
                         "published_at": answered, "created_at": answered, "updated_at": answered,
                         "search_text": self.search_text(Statement.refresh_search_text, subject=subject, text=answer)}
        return SimpleNamespace(row=row, events=events, statement=statement)

    # --- briefings -----------------------------------------------------------------------------------

    def briefings(self):
        rng, horizon = self.rng, self.now
        slots = []  # (unit, quarter, first, last): a quarter in which the Department may hold its briefing
        for unit in self.units:
            end = horizon if unit.active else unit.until
            key = quarter_key(self.start)
            while key <= (current_quarter() if unit.active else quarter_key(end - minutes(1))):
                first, last = quarter_bounds(key)
                first, last = max(first, self.start), min(last, end) if not unit.active else last
                if first < last:
                    slots.append((unit, key, first, last))
                key = shift_quarter(key, 1)
        total = self.volumes["briefings"]
        # The most compliant Departments hold theirs every quarter (weighted sampling without replacement);
        # more briefings than quarters make some quarters' second, topical briefing.
        ranked = sorted(slots, key=lambda s: -rng.random() ** (1 / s[0].compliance))
        chosen = [(s, False) for s in ranked[:total]] + [(rng.choice(slots), True) for _ in
                                                          range(max(0, total - len(slots)))]
        chosen.sort(key=lambda c: (c[0][2], c[0][0].id, c[1]))
        rows, extras = [], []
        calendar = Calendar(self.start, horizon, FLAT)
        for (unit, key, first, last), topical in chosen:
            day = (first + (last - first) * rng.uniform(0.1, 0.9)).astimezone(self.tz).date()
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            starts = max(calendar.at(day, rng.choice((8, 9, 14)), rng.choice((0, 30))), first)
            department_id, origin, owner = unit.at(starts)
            quarter = int(key[-1])
            topics = rng.sample(words.BRIEFING_TOPICS[quarter], 2)
            if starts > horizon:
                status = PLANNED
            else:
                status = rng.choices((HELD, CANCELLED, POSTPONED), weights=(88, 7, 5))[0]
            title = f"Họp báo chuyên đề: {topics[0]}" if topical else \
                f"Họp báo định kỳ quý {quarter}/{key[:4]}: {topics[0]}"
            province = owner.province_at(starts, self.cutoff)
            sent = starts - timedelta(days=7)
            sent = sent if sent <= horizon and status != CANCELLED else None
            rows.append({"department_id": department_id, "origin_department_id": origin, "title": title,
                         "starts_at": starts, "ends_at": starts + timedelta(hours=2),
                         "place": f"Hội trường Sở GDĐT {province}", "online_link": None,
                         "topics": "\n".join(f"- {t}" for t in topics), "status": status,
                         "status_reason": words.BRIEFING_REASONS.get(status),
                         "minutes": words.BRIEFING_MINUTES.format(province=province, topic=topics[0],
                                                                  topic_lower=topics[0].lower())
                         if status == HELD else None, "attachments": [],
                         "internal_units": rng.sample(words.INTERNAL_UNITS, 2), "sequence": 0,
                         "invitations_sent_at": sent, "created_by_id": owner.holding("post.comms")[0].id,
                         "created_at": min(starts - timedelta(days=20), horizon),
                         "updated_at": min(starts + timedelta(hours=3), horizon)})
            speakers = {owner.holding("department.head")[0].id, owner.official(starts).id}
            k = bisect.bisect_right(unit.contact_times, starts)
            pool = [c for c in unit.contacts[:k] if not c.archived]
            invited = rng.sample(pool, min(len(pool), rng.randint(6, 14)))
            extras.append((speakers, [(c.id, status == HELD and rng.random() < 0.7, 0 if sent else None)
                                      for c in invited]))
        ids = self.insert(Briefing, rows, returning=True)
        self.insert(briefing_speaker, [{"briefing_id": b, "user_id": u} for b, (speakers, _i) in zip(ids, extras)
                                       for u in sorted(speakers)])
        self.insert(BriefingInvitation, [{"briefing_id": b, "contact_id": c, "attended": attended,
                                          "notified_sequence": seq} for b, (_s, invited) in zip(ids, extras)
                                         for c, attended, seq in invited])
