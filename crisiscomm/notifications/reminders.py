"""Remind the silent: the first reminder after a delay, then again after each delay, at most N rounds.

One rule for every "please acknowledge" that waits on people: orientation messages to schools' focal points,
the Ministry's scenario templates to the Departments. The caller keeps, per waiting record, when it was sent, when
it was last reminded and how many rounds it has had; ``due_round`` says whether a new round is due now, and the
round number goes into the reminder's dedupe key so a job that runs twice queues once.
"""
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from ..clock import as_utc, now
from ..models import acting_as


@dataclass(frozen=True)
class Policy:
    delay: timedelta
    max_rounds: int


def policy(prefix):
    """The policy configured as ``{prefix}_REMINDER_DELAY_HOURS`` and ``{prefix}_REMINDER_MAX``."""
    hours = float(current_app.config.get(f"{prefix}_REMINDER_DELAY_HOURS", 24))
    return Policy(delay=timedelta(hours=max(hours, 0)),
                  max_rounds=max(int(current_app.config.get(f"{prefix}_REMINDER_MAX", 0)), 0))


def due_round(*, sent_at, reminded_at, rounds, rule, at=None):
    """The number of the round due now (1 for the first reminder), or None: not yet, or no rounds left."""
    if sent_at is None or (rounds or 0) >= rule.max_rounds:
        return None
    since = as_utc(reminded_at or sent_at)
    if (at or now()) - since < rule.delay:
        return None
    return (rounds or 0) + 1


def cutoff(rule, at=None):
    """Records last sent or reminded before this instant may be due (for a query's WHERE)."""
    return (at or now()) - rule.delay



def run(prefix, *, label, candidates, sent_at, reminded_at, rounds, remind):
    """The job of one kind of waiting record, with the policy ``{prefix}_REMINDER_*``: ``candidates(rule,
    cutoff)`` lists the records that may be due (silent, fewer rounds than the maximum, sent before ``cutoff``);
    each whose next round is due gets it through ``remind(record, round_no)`` (truthy when something was queued),
    as the actor ``label``. ``sent_at``, ``reminded_at``, ``rounds`` name the record's attributes. Returns how many
    records were reminded."""
    rule = policy(prefix)
    if rule.max_rounds <= 0:
        return 0
    at = now()
    done = 0
    with acting_as(label=label):
        for record in candidates(rule, cutoff(rule, at)):
            round_no = due_round(sent_at=getattr(record, sent_at), reminded_at=getattr(record, reminded_at),
                                 rounds=getattr(record, rounds), rule=rule, at=at)
            if round_no is not None and remind(record, round_no):
                done += 1
    return done
