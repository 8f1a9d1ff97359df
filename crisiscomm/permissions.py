"""Who may do what: the roles, and the named permissions every check goes through.

Role names are written here and nowhere else (scripts/architecture.py counts any other place). A view says
``@permissions.required("briefing.edit")``; a service ``permissions.require(user, "incident.reopen")``; a template
``can("story.approve")``; a query for the people who hold a duty ``User.role.in_(permissions.holders("..."))``.
Department scoping (which Department's records a user reaches) stays in ``scoping.py``; this module only says
which roles may act.
"""
import functools

from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .errors import PermissionDenied
from .extensions import login_manager

MINISTRY_ADMIN = "ministry_admin"
MINISTRY_COMMS = "ministry_comms"
DIRECTOR = "director"
DEPUTY_DIRECTOR = "deputy_director"
SPOKESPERSON = "spokesperson"
COMMS_OFFICER = "comms_officer"
STEERING_BOARD = "steering_board"
VIEWER = "viewer"
# A school's focal point with a light account: sees only what is sent to it, reports an incident from its school.
NETWORK_MEMBER = "network_member"

MINISTRY_ROLES = (MINISTRY_ADMIN, MINISTRY_COMMS)
DEPARTMENT_ROLES = (DIRECTOR, DEPUTY_DIRECTOR, SPOKESPERSON, COMMS_OFFICER, STEERING_BOARD, VIEWER, NETWORK_MEMBER)
ROLES = MINISTRY_ROLES + DEPARTMENT_ROLES

ROLE_LABELS = {
    MINISTRY_ADMIN: _l("Ministry administrator"),
    MINISTRY_COMMS: _l("Ministry communication centre"),
    DIRECTOR: _l("Director"),
    DEPUTY_DIRECTOR: _l("Deputy director"),
    SPOKESPERSON: _l("Spokesperson"),
    COMMS_OFFICER: _l("Communication officer"),
    STEERING_BOARD: _l("Exam steering board member"),
    VIEWER: _l("Viewer"),
    NETWORK_MEMBER: _l("School focal point"),
}

# Each role's full title in a Vietnamese administrative document (the incidents' fast report), whatever the
# interface language.
ROLE_TITLES_VI = {
    MINISTRY_ADMIN: "Bộ Giáo dục và Đào tạo",
    MINISTRY_COMMS: "Trung tâm Truyền thông giáo dục (Bộ GDĐT)",
    DIRECTOR: "Giám đốc Sở",
    DEPUTY_DIRECTOR: "Phó Giám đốc Sở",
    SPOKESPERSON: "Người phát ngôn",
    COMMS_OFFICER: "Bộ phận truyền thông của Sở",
    STEERING_BOARD: "Thành viên Ban Chỉ đạo thi",
    VIEWER: "Cán bộ theo dõi",
    NETWORK_MEMBER: "Đầu mối truyền thông của trường",
}

# The Department's communication staff: who writes its press work.
_DEPARTMENT_WRITERS = (DIRECTOR, DEPUTY_DIRECTOR, SPOKESPERSON, COMMS_OFFICER)

# name -> the roles that hold it. One block per domain; add a permission to your domain's block.
PERMISSIONS = {
    # core
    "ministry.view": MINISTRY_ROLES,
    "ministry.member": MINISTRY_ROLES,  # an account of the Ministry: no Department
    "department.member": DEPARTMENT_ROLES,  # an account of one Department
    "system.admin": (MINISTRY_ADMIN,),
    "department.head": (DIRECTOR,),
    # Posts: who holds a job, for picking a person (the demo and the data generator staff them).
    "post.deputy": (DEPUTY_DIRECTOR,),
    "post.spokesperson": (SPOKESPERSON,),
    "post.comms": (COMMS_OFFICER,),
    "post.exam_board": (STEERING_BOARD,),
    "post.ministry_comms": (MINISTRY_COMMS,),

    # users and audit
    "user.manage": (MINISTRY_ADMIN,),
    "audit.read": (MINISTRY_ADMIN,),

    # departments
    "department.public.edit": _DEPARTMENT_WRITERS + (MINISTRY_ADMIN,),
    "department.public.edit.any": (MINISTRY_ADMIN,),  # of every Department, not only one's own

    # notifications
    "alert.receive": (DIRECTOR, SPOKESPERSON, COMMS_OFFICER),
    "alert.receive.ministry": (MINISTRY_ADMIN,),  # of a message the Ministry sent

    # contacts
    "contact.edit": MINISTRY_ROLES + _DEPARTMENT_WRITERS,

    # spokespersons
    "spokesperson.assign": (DIRECTOR, MINISTRY_ADMIN),
    "spokesperson.expiry.notice": (DIRECTOR, SPOKESPERSON, COMMS_OFFICER),  # and the authorised person

    # rules
    "rule.read": MINISTRY_ROLES + _DEPARTMENT_WRITERS,
    "rule.edit.department": (DIRECTOR, DEPUTY_DIRECTOR, SPOKESPERSON),
    "rule.edit.national": (MINISTRY_ADMIN,),

    # scenarios
    "scenario.distribute": (MINISTRY_COMMS, MINISTRY_ADMIN),
    "scenario.acknowledge": _DEPARTMENT_WRITERS + (STEERING_BOARD,),
    "scenario.adapt": _DEPARTMENT_WRITERS,
    "scenario.distribution.notice": (DIRECTOR, SPOKESPERSON, COMMS_OFFICER),
    "scenario.file.role": ROLES,  # the roles a scenario file may name (its notify list, its phases' owners)

    # incidents
    "incident.write": _DEPARTMENT_WRITERS + (STEERING_BOARD,) + MINISTRY_ROLES,
    "incident.policy.view": (DIRECTOR, DEPUTY_DIRECTOR) + MINISTRY_ROLES,
    "incident.policy.edit": (DIRECTOR, MINISTRY_ADMIN),  # a director for their own Department
    "incident.ministry_office.view": MINISTRY_ROLES,
    "incident.ministry_office.edit": (MINISTRY_ADMIN,),
    "incident.reopen": (DIRECTOR, MINISTRY_ADMIN),
    "incident.escalation.first_line": (DIRECTOR, STEERING_BOARD),
    # who each escalation level reaches besides the Department head (level 1) and the policy's named people
    "incident.alert.exam": (STEERING_BOARD,),  # level 1 too, for an exam-related incident
    "incident.alert.deputy": (DEPUTY_DIRECTOR,),  # level 2
    "incident.alert.spokesperson": (SPOKESPERSON,),  # level 2 when no official spokesperson is assigned
    "incident.alert.ministry": (MINISTRY_ADMIN,),  # level 3 when the Ministry office list is empty
    "incident.alert.statement_overdue": (MINISTRY_COMMS,),  # with the Department head
    "incident.statement.approve": (DIRECTOR, DEPUTY_DIRECTOR, SPOKESPERSON),
    "incident.report.sign": (DIRECTOR, DEPUTY_DIRECTOR),
    "incident.report.sign_for_head": (DEPUTY_DIRECTOR,),  # signs "KT. GIÁM ĐỐC"

    # inquiries
    "inquiry.settings": (MINISTRY_ADMIN, DIRECTOR),
    "inquiry.refusal_grounds.edit": (MINISTRY_ADMIN,),
    "inquiry.home.actions": (COMMS_OFFICER,),  # the start page's "log an inquiry / report an incident" buttons
    "inquiry.home": _DEPARTMENT_WRITERS,
    "inquiry.settings.all": (MINISTRY_ADMIN,),  # settings and press mailbox of every Department (a director: own)
    "inquiry.work": MINISTRY_ROLES + _DEPARTMENT_WRITERS,  # log and work on inquiries (the others only read)
    "inquiry.desk": (COMMS_OFFICER,),  # takes the calls: deadline alerts, a failing mailbox, the CLI's import
    "inquiry.approve.spokesperson": (SPOKESPERSON,),  # approves answers where the Department chose the spokesperson
    "inquiry.approve.director": (DIRECTOR,),  # ... or the director
    "inquiry.referral.receive": (MINISTRY_COMMS,),  # told when a Department refers an inquiry to the Ministry

    # statements

    # briefings
    "briefing.edit": MINISTRY_ROLES + _DEPARTMENT_WRITERS,  # also the calendar feed: the Ministry's or one's own
    "briefing.compliance": MINISTRY_ROLES,
    "briefing.exam_periods": MINISTRY_ROLES,
    "briefing.reminder.upcoming": (COMMS_OFFICER,),  # besides the briefing's speakers
    "briefing.reminder.quarter_gap": (DIRECTOR, COMMS_OFFICER),
    "briefing.reminder.summary": (MINISTRY_COMMS,),

    # plans
    "plan.write": _DEPARTMENT_WRITERS,  # the Department's own plan
    "plan.publish": MINISTRY_ROLES,  # the Ministry's plan for a school year

    # stories
    # propose and edit, people, consent, photos, coverage, agenda; verify, reject and publish
    "story.edit": _DEPARTMENT_WRITERS + MINISTRY_ROLES,
    # approve (again, after a suspension) and take off the public page
    "story.approve": (DIRECTOR, SPOKESPERSON) + MINISTRY_ROLES,
    # feature nationally; the Ministry pitches only the stories it features, to any Department's press
    "story.feature": MINISTRY_ROLES,

    # monitoring
    "mention.read": MINISTRY_ROLES + _DEPARTMENT_WRITERS + (STEERING_BOARD,),  # the mention inbox
    "mention.triage": MINISTRY_ROLES + _DEPARTMENT_WRITERS,  # capture, triage, incident/inquiry from a mention
    "mention.alert": (SPOKESPERSON, COMMS_OFFICER),  # told of a high-severity mention or a burst
    "mention.terms": MINISTRY_ROLES + _DEPARTMENT_WRITERS,  # a Department's watch terms (the Ministry: any)
    "monitoring.admin": (MINISTRY_ADMIN,),  # the feeds, their error state, the Ministry-wide crisis terms

    # network
    # What a school's focal point with an account reaches. A network member's account opens only the views whose
    # @permissions.required(...) names a permission this role holds (the network package's gate enforces it).
    "network.member": (NETWORK_MEMBER,),
    "network.read": MINISTRY_ROLES + _DEPARTMENT_WRITERS,  # a Department's network (the Ministry: every one's)
    "network.edit": _DEPARTMENT_WRITERS,  # schools, focal points, groups, imports, light accounts of one's own
    "network.report.notice": (DIRECTOR, COMMS_OFFICER),  # told at once when a school reports an incident

    # orientation
    "orientation.send": _DEPARTMENT_WRITERS + MINISTRY_ROLES,  # draft, send and remind (the Ministry: its own)
    "orientation.view": _DEPARTMENT_WRITERS + MINISTRY_ROLES + (STEERING_BOARD, VIEWER),  # who acknowledged
    "orientation.receive": (NETWORK_MEMBER,),  # a focal point's inbox of the orientation sent to them

    # training
    "training.read": MINISTRY_ROLES + _DEPARTMENT_WRITERS + (STEERING_BOARD, VIEWER),  # courses and histories
    # create and edit courses (the Ministry its own, a Department its own), mark attendance
    "training.edit": MINISTRY_ROLES + _DEPARTMENT_WRITERS,
    "training.trainee": (SPOKESPERSON, COMMS_OFFICER),  # whose training the Department and the Ministry count

    # overview and ops
    "ops.system": (MINISTRY_ADMIN,),
}


def holders(name):
    """The roles that hold permission ``name`` (a KeyError for a name nobody declared: a typo fails loudly)."""
    return PERMISSIONS[name]


def can(user, name):
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.role in holders(name))


def require(user, name):
    """Raise PermissionDenied unless ``user`` holds ``name``."""
    if not can(user, name):
        raise PermissionDenied()


def is_ministry(user):
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.role in MINISTRY_ROLES)


# Roles whose account opens only the views whose @required(...) names a permission the role holds, and OPEN_*
# (everything else answers 404):
# signing in and out, the account page, the notification inbox and one-tap links, static files, public pages.
# The gate below (init_app's before_request) is the one place that enforces it; nav.py hides the rest.
NARROW_ROLES = (NETWORK_MEMBER,)
OPEN_BLUEPRINTS = frozenset({"notifications", "pwa", "stories_public", "briefing_feeds"})
OPEN_ENDPOINTS = frozenset({"static", "favicon", "web.home", "ops.healthz", "users.login", "users.logout",
                            "users.account", "users.create_token", "users.revoke_token",
                            "departments.public_contact", "spokespersons.public"})


def is_narrow(user):
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.role in NARROW_ROLES)


def opens(user, endpoint, app=None):
    """Whether ``user``'s account may open the view at ``endpoint`` (only narrow roles are limited here; the
    view's own checks still apply)."""
    if not is_narrow(user) or endpoint is None or endpoint in OPEN_ENDPOINTS \
            or endpoint.partition(".")[0] in OPEN_BLUEPRINTS:
        return True
    view = (app or current_app).view_functions.get(endpoint)
    return any(can(user, name) for name in getattr(view, "required_permissions", ()))


def role_label(role):
    return ROLE_LABELS.get(role, role)


def required(*names):
    """View decorator: signed in and holding at least one of ``names`` (signed in only, when none given)."""
    for name in names:
        holders(name)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if names and not any(can(current_user, name) for name in names):
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_permissions = names
        return wrapper

    return decorator


def init_app(app):
    @app.before_request
    def narrow_gate():
        # Not 403: for a school's focal point the rest of the system does not exist (nothing to probe for).
        if not opens(current_user, request.endpoint, app):
            abort(404)

    @app.context_processor
    def permission_helpers():
        return {"can": lambda name: can(current_user, name)}
