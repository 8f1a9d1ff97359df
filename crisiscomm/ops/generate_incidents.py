"""`flask demo generate`: incidents from report to close, as the services and the escalation job write them:
escalations with reminders and levels 2 and 3, the timeline, the first public statement and the playbook."""
import secrets
from datetime import timedelta
from types import SimpleNamespace

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, update

from ..extensions import db
from ..incidents import common as incident_common, labels as incident_labels, playbook as incident_playbook
from ..incidents import policies as incident_policies, statement_clock as incident_clock
from ..incidents.models import (ACKNOWLEDGED, AUD_DEPUTY, AUD_DIRECTOR, AUD_DRILL, AUD_SPOKESPERSON, AUD_STEERING,
                                CLOSED, CONTAINED, OPEN, STATUSES, ChecklistItem, Escalation, Incident,
                                IncidentEvent)
# why: the generator creates the accounts, so it names their roles (demo data, the one place besides permissions)
from ..statements.models import Statement
from . import generate_data as words
from .generate_base import BATCH, INCIDENT_MONTHS, Base, Person, Recipient, holding, minutes


class Incidents(Base):
    """The incidents phase: ``incidents()`` writes them in batches with their escalations, statements, timeline
    events and checklists."""

    def incident_messages(self):
        """The incident timeline's texts and labels in Vietnamese (the msgids the incidents services write)."""
        with force_locale("vi"):
            self.status_label = {s: str(incident_labels.status_label(s)) for s in STATUSES}
            self.via_label = {v: str(incident_labels.via_label(v)) for v in ("app", "link")}
            self.role_name = {r: incident_labels.role_name(r) for r in (*words.ACCOUNT_ROLES, None)}
            self.drill_label = incident_common.DRILL_LABEL
            return {
                "created": _("Incident logged by %(name)s."), "level1": _("Level 1 alerted: %(names)s"),
                "escalated": _("Escalated to level %(level)s: %(names)s"),
                "nobody": _("nobody (no recipient configured)"),
                "reminder": _("Reminder %(n)s re-sent to level 1: %(names)s"),
                "ack": _("%(name)s acknowledged (level %(level)s, %(via)s)."),
                "level_ack": _("Level 1 has acknowledged: escalation stops."),
                "status": _("Status: %(old)s → %(new)s"),
                "statement": _("First public statement recorded (%(channel)s), approved by %(name)s."),
                "late": _("(after the due time)"),
                "overdue": _("The first public statement is overdue; the director and the Ministry communication "
                             "centre were alerted."),
                "playbook": _("Playbook activated: %(title)s (%(n)s actions)."),
                "done": _("Done: %(text)s"), "action_overdue": _("Overdue action alerted to %(role)s: %(text)s"),
            }

    def statement_due(self, known, severity, department_id):
        """(due time, rule id) of the first statement, counted from when the Department learned of the incident."""
        key = (self.rule_slot(known), severity, department_id)
        if key not in self._statement_due:
            probe = SimpleNamespace(known_at=known, reported_at=known, severity=severity, department_id=department_id)
            due, rule = incident_clock.statement_due(probe)
            self._statement_due[key] = (due - known, rule.id if rule else None)
        offset, rule_id = self._statement_due[key]
        return known + offset, rule_id

    def timeout(self, department, severity):
        if department.id not in self._timeouts:
            self._timeouts[department.id] = incident_policies.policy_for(department)
        return incident_policies.timeout_for(SimpleNamespace(severity=severity), self._timeouts[department.id])

    def incidents(self):
        plan = self.plan(self.volumes["incidents"], INCIDENT_MONTHS)
        table = Incident.__table__
        link = update(table).where(table.c.id == bindparam("b_id")).values(first_statement_id=bindparam("b_sid"))
        for i in range(0, len(plan), BATCH):
            stories = [self.incident_story(unit, t) for t, unit in plan[i:i + BATCH]]
            ids = self.insert(Incident, [s.row for s in stories], returning=True)
            for story, incident_id in zip(stories, ids):
                story.id = incident_id
                if not story.row["drill"]:
                    story.unit.incidents.append((story.row["occurred_at"], incident_id, story.row["title"]))
            escalations = [(dict(row, incident_id=s.id), ref) for s in stories for row, ref in s.escalations]
            for (_row, ref), esc_id in zip(escalations, self.insert(Escalation, [e[0] for e in escalations],
                                                                     returning=True)):
                ref["id"] = esc_id
            with_statement = [s for s in stories if s.statement]
            statements = [dict(s.statement, source_id=s.id) for s in with_statement]
            statement_ids = self.insert(Statement, statements, returning=True)
            for story, statement_id in zip(with_statement, statement_ids):
                story.statement_ref["id"] = statement_id
            if statement_ids:
                with db.engine.begin() as conn:
                    conn.execute(link, [{"b_id": s.id, "b_sid": sid} for s, sid in zip(with_statement, statement_ids)])
            self.insert(IncidentEvent, [self.event_row(e, s.id) for s in stories for e in s.events])
            self.insert(ChecklistItem, [dict(c, incident_id=s.id) for s in stories for c in s.checklist])
        for unit in self.units:
            unit.incidents.sort()

    @staticmethod
    def event_row(event, incident_id):
        # {"id": n}: the id of an escalation or a statement, written after the story was told
        data = {k: v["id"] if isinstance(v, dict) else v for k, v in event["data"].items()}
        return dict(event, incident_id=incident_id, data=data)

    def incident_story(self, unit, occurred):
        """One incident from report to close, as the services and the escalation job would have written it,
        cut at now."""
        rng, horizon, msg = self.rng, self.now, self.msg
        reported = occurred + self.delay(20, 0.9, 2, 360)
        if reported > horizon:  # not reported yet: it happened a little earlier
            occurred, reported = occurred - (reported - horizon) - minutes(30), horizon - minutes(30)
        department_id, origin, owner = unit.at(occurred)
        staff = owner.staff
        values = self.fill(occurred, owner.province_at(occurred, self.cutoff))
        season = occurred.astimezone(self.tz).month in (5, 6, 7)
        categories = list(words.CATEGORY_WEIGHTS)
        weights = [w * (4 if season and c == "exam" else 1) for c, w in words.CATEGORY_WEIGHTS.items()]
        category = rng.choices(categories, weights=weights)[0]
        title, description, severities = rng.choice(words.INCIDENTS[category])
        exam_related = words.exam_related(category, title)
        severity = rng.choices(("low", "medium", "high", "critical"), weights=severities)[0]
        drill = rng.random() < 0.03
        title, description = title.format(**values)[:290], description.format(**values)
        if drill:
            title, severity = "Diễn tập: " + title, ("high" if severity in ("low", "medium") else severity)
        reporter = rng.choice(holding(staff, "post.comms", *(("post.exam_board",) if exam_related else ())))
        timeout = minutes(self.timeout(owner.department, severity))
        due, due_rule_id = self.statement_due(reported, severity, department_id)
        events, escalations, alerted = [], [], set()

        def event(at, kind, message, actor=None, label=None, data=None, **columns):
            if at <= horizon:
                events.append({"at": at, "actor_id": actor.id if actor else None,
                               "actor_label": label or (actor.name if actor else "crisiscomm"), "kind": kind,
                               "field": columns.get("field"), "old_value": columns.get("old"),
                               "new_value": columns.get("new"), "message": message, "data": data or {}})

        def recipient(audience, person, role=None):
            return Recipient(audience, person.id, f"user:{person.id}", person.name, person.email, role or person.role)

        def notify(level, people, at):
            fresh = []
            for p in people:  # people not alerted yet, once each
                if p.key not in alerted:
                    alerted.add(p.key)
                    fresh.append(p)
            audiences = set()
            for p in fresh:
                # Level 1: someone of each audience acknowledges (the director, a steering-board member).
                first = p.audience not in audiences
                audiences.add(p.audience)
                acks = (first or rng.random() < 0.85) if level == 1 else rng.random() < 0.6
                median = 3 if level == 1 else 12
                escalations.append({"level": level, "person": p, "notified_at": at, "reminded": [],
                                    "ack": at + self.delay(median, 0.9, 0.3, 180) if acks else None,
                                    "via": "link" if rng.random() < 0.4 else "app", "ref": {}})
            return [p.label for p in fresh]

        mark = f" [{self.drill_label}]" if drill else ""
        event(reported, "created", msg["created"] % {"name": reporter.name} + mark, reporter,
              data={"severity": severity, "exam_related": exam_related, "drill": drill})
        if drill:
            participants = [recipient(AUD_DRILL, p) for p in (owner.holding("department.head")[0], reporter)]
            level1 = list({p.key: p for p in participants}.values())
        else:
            # the escalation policy's level 1: the Department head, and the exam steering board for an exam
            level1 = [recipient(AUD_DIRECTOR, p) for p in owner.holding("department.head")] + (
                [recipient(AUD_STEERING, p) for p in owner.holding("incident.alert.exam")] if exam_related else [])
        names = notify(1, level1, reported)
        event(reported, "escalated", msg["level1"] % {"names": ", ".join(names) or msg["nobody"]}, reporter,
              data={"level": 1, "recipients": names})

        def first_ack(audience):
            acks = [e["ack"] for e in escalations if e["level"] == 1 and e["person"].audience == audience and e["ack"]]
            return min(acks) if acks else None

        if drill:
            acknowledged = min(e["ack"] for e in escalations if e["ack"])
        else:
            acknowledged = max(filter(None, (first_ack(AUD_DIRECTOR), first_ack(AUD_STEERING))))
        # The escalation job: every timeout until level 1 acknowledges, remind it and go one level up.
        level, steps, step = 1, [], reported + timeout
        while step < acknowledged and len(steps) < 40:
            at = step + timedelta(seconds=rng.uniform(0, 30))
            unacked = [e for e in escalations if e["level"] == 1 and not (e["ack"] and e["ack"] <= at)]
            for e in unacked:
                e["reminded"].append(at)
            if unacked:
                event(at, "reminder", msg["reminder"] % {"n": len(steps) + 1, "names": ", ".join(
                    e["person"].label for e in unacked)}, data={"round": len(steps) + 1})
            level_done = any(e["ack"] and e["ack"] <= at for e in escalations if e["level"] == level)
            if not drill and level < 3 and not (level >= 2 and level_done):
                level += 1
                if level == 2:
                    # recorded under the spokesperson's role, as the escalation policy does
                    people = [recipient(AUD_DEPUTY, p) for p in owner.holding("incident.alert.deputy")] + [
                        recipient(AUD_SPOKESPERSON, owner.official(at), role=AUD_SPOKESPERSON)]
                else:
                    people = self.ministry
                names = notify(level, people, at)
                event(at, "escalated", msg["escalated"] % {"level": level, "names": ", ".join(names) or msg["nobody"]},
                      data={"level": level, "recipients": names})
            steps.append((at, level))
            step = at + timeout
        for e in escalations:
            if e["ack"]:
                p = e["person"]
                event(e["ack"], "acknowledged", msg["ack"] % {"name": p.label, "level": e["level"],
                                                             "via": self.via_label[e["via"]]},
                      Person(p.id, p.label, p.email, p.role) if p.id else None, label=p.label,
                      data={"escalation_id": e["ref"], "level": e["level"]})
        decider = next((e["person"] for e in escalations if e["ack"] == acknowledged), None)
        decider = Person(decider.id, decider.label, decider.email, decider.role) if decider and decider.id else None
        event(acknowledged, "level_acknowledged", msg["level_ack"], decider)
        statuses = [(acknowledged, OPEN, ACKNOWLEDGED, decider)]

        # From acknowledged to closed; drills close within the hour or two.
        handler = rng.choice(holding(staff, "post.comms"))
        if drill:
            closed = acknowledged + self.delay(60, 0.4, 20, 180)
        else:
            contained = acknowledged + self.delay(360, 1.0, 30)
            closed = contained + self.delay(3600, 0.9, 60)
            if rng.random() < 0.7:
                statuses.append((contained, ACKNOWLEDGED, CONTAINED, handler))

        # The first public statement: most on time, some late, a few never (low-severity, or drills).
        statement, published = None, None
        if not drill and (severity in ("high", "critical") or rng.random() < 0.85):
            span = due - occurred
            published = occurred + span * rng.uniform(0.2, 0.95) if rng.random() < 0.85 \
                else due + span * rng.expovariate(2.5)
            published = max(published, reported + minutes(5))
            closed = max(closed, published + self.delay(120, 0.7, 30))
        if published is not None and published <= horizon:
            approver = owner.official(published) if rng.random() < 0.7 else owner.holding("department.head")[0]
            channel = rng.choice(words.STATEMENT_CHANNELS)
            text = words.STATEMENT_TEXT.format(**values)
            late = published > due
            statement = {"department_id": department_id, "origin_department_id": unit.at(published)[1],
                         "source_type": "incident",
                         "subject": title[:300], "text": text, "channel": channel, "approved_by_id": approver.id,
                         "published_at": published, "created_at": published, "updated_at": published,
                         "search_text": self.search_text(Statement.refresh_search_text, subject=title[:300],
                                                         text=text)}
            ref = {}
            event(published, "statement", msg["statement"] % {"channel": channel, "name": approver.name} +
                  (" " + msg["late"] if late else ""), handler, data={"statement_id": ref, "late": late})
        else:
            ref = None
        alert = None
        if not drill and (published is None or published > due) and closed > due:
            alert = due + timedelta(seconds=rng.uniform(1, 60))
            if published is not None and published <= alert:
                alert = None
            else:
                event(alert, "statement_overdue", msg["overdue"])

        # The playbook: the checklist of a scenario of the same category.
        checklist, scenario_version_id = [], None
        choices = self.scenarios.get(category)
        if choices and rng.random() < (0.6 if severity in ("high", "critical") else 0.35 if exam_related else 0.05):
            version_id, scenario_title, phases = rng.choice(choices)
            activated = reported + self.delay(8, 0.6, 1, 60)
            if activated <= horizon:
                scenario_version_id = version_id
                checklist = self.checklist(phases, occurred, activated, closed, staff, event, version_id)
                event(activated, "scenario_activated", msg["playbook"] % {"title": scenario_title,
                                                                          "n": len(checklist)},
                      reporter, field="scenario_version_id", old="", new=str(version_id))
        statuses.append((closed, statuses[-1][2], CLOSED, handler))
        summary = words.DRILL_SUMMARY if drill else words.CLOSING_SUMMARY
        public = words.DRILL_SUMMARY if drill else words.CLOSING_PUBLIC.format(**values)
        status = OPEN
        for at, old, new, actor in statuses:
            if at <= horizon:
                status = new
                closing = new == CLOSED
                event(at, "closed" if closing else "status",
                      msg["status"] % {"old": self.status_label[old], "new": self.status_label[new]}, actor,
                      field="status", old=old, new=new,
                      data={"closing_summary": summary, "closing_public_summary": public} if closing else None)
        events.sort(key=lambda e: e["at"])  # stable: same-moment entries keep the order the services write them

        acked = acknowledged <= horizon
        done_steps = [s for s in steps if s[0] <= horizon]
        last = done_steps[-1][0] if done_steps else reported
        is_closed = status == CLOSED
        row = {"department_id": department_id, "origin_department_id": origin, "title": title,
               "category": category, "exam_related": exam_related, "exam": values["exam"] if exam_related else None,
               "occurred_at": occurred, "reported_at": reported, "known_at": reported,
               "place": f"{values['school']}, {values['province']}",
               "description": description, "severity": severity, "status": status, "reporter_id": reporter.id,
               "scenario_version_id": scenario_version_id, "drill": drill,
               "drill_recipient_ids": [p.id for p in level1] if drill else [],
               "closing_summary": summary if is_closed else None,
               "closing_public_summary": public if is_closed else None, "closed_at": closed if is_closed else None,
               "escalation_level": max([1] + [lvl for _at, lvl in done_steps]), "escalation_round": len(done_steps),
               "next_escalation_at": None if acked or is_closed else last + timeout,
               "level1_acknowledged_at": acknowledged if acked else None, "timeout_minutes": timeout.seconds // 60,
               "first_statement_due_at": due, "first_statement_rule_id": due_rule_id, "first_statement_id": None,
               "first_statement_at": published if statement else None,
               "statement_overdue_alerted_at": alert if alert and alert <= horizon else None,
               "created_at": reported, "updated_at": events[-1]["at"] if events else reported}
        row["search_text"] = self.search_text(incident_common.refresh_search, title=title, description=description,
                                              place=row["place"], exam=row["exam"])
        return SimpleNamespace(unit=unit, row=row, events=events, statement=statement, statement_ref=ref,
                               checklist=checklist, escalations=[self.escalation_row(e) for e in escalations
                                                                 if e["notified_at"] <= horizon], id=None)

    def escalation_row(self, e):
        p, horizon = e["person"], self.now
        ack = e["ack"] if e["ack"] and e["ack"] <= horizon else None
        reminded = [t for t in e["reminded"] if t <= horizon]
        return {"level": e["level"], "audience": p.audience, "recipient_id": p.id, "recipient_key": p.key,
                "recipient_label": p.label, "email": p.email, "role": p.role, "notified_at": e["notified_at"],
                "reminders": len(reminded), "last_reminded_at": reminded[-1] if reminded else None,
                "ack_nonce": secrets.token_urlsafe(16), "acknowledged_at": ack,
                "acknowledged_via": e["via"] if ack else None,
                "ack_link_used_at": ack if ack and e["via"] == "link" else None}, e["ref"]

    def checklist(self, phases, occurred, activated, closed, staff, event, version_id):
        """The scenario's actions: most done by their due time, some late (alerted), a few left undone."""
        rng, horizon, out = self.rng, self.now, []
        for phase_no, phase in enumerate(phases):
            try:
                offset = incident_playbook.parse_duration(phase.get("due_after"))
            except ValueError:
                offset = timedelta(0)
            due = occurred + offset
            for n, item in enumerate(phase.get("items") or []):
                text = item.get("text") if isinstance(item, dict) else str(item)
                if not text:
                    continue
                role = item.get("owner_role") if isinstance(item, dict) else None
                person = rng.choice(staff.get(role) or holding(staff, "post.comms"))
                done = None
                if rng.random() < 0.92:
                    done = activated + max(due - activated, minutes(5)) * rng.uniform(0.2, 1.0) \
                        if rng.random() < 0.85 else max(due, activated) + self.delay(120, 0.8, 5)
                    if done > closed:
                        done = None
                alert = max(due, activated) + timedelta(seconds=rng.uniform(1, 60))
                alerted = (done is None or done > alert) and alert < closed
                if done is not None:
                    event(done, "checklist_done", self.msg["done"] % {"text": text}, person)
                if alerted:
                    event(alert, "checklist_overdue", self.msg["action_overdue"] % {
                        "role": self.role_name.get(role, role), "text": text})
                out.append({"scenario_version_id": version_id, "phase": phase.get("name") or "",
                            "due_after": phase.get("due_after"), "position": phase_no * 1000 + n, "text": text,
                            "owner_role": role, "due_at": due,
                            "done_at": done if done is not None and done <= horizon else None,
                            "done_by_id": person.id if done is not None and done <= horizon else None,
                            "overdue_alerted_at": alert if alerted and alert <= horizon else None})
        return out

