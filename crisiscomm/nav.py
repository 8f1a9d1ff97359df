"""The header menu: the entries domains add with ``registry.nav``; base.html draws those the user may use."""
from flask import url_for
from flask_login import current_user

from . import permissions, registry


def visible_to(entry, user):
    if permissions.is_narrow(user):  # a narrow account's menu holds only the pages its role is named on
        return entry.permission is not None and permissions.can(user, entry.permission)
    if entry.public:
        return True
    if not (user and user.is_authenticated):
        return False
    return entry.permission is None or permissions.can(user, entry.permission)


def init_app(app):
    @app.context_processor
    def navigation():
        def nav_items():
            entries = sorted(registry.items("nav", app), key=lambda e: e.order)
            return [(url_for(e.endpoint), e) for e in entries if visible_to(e, current_user)]

        return {"nav_items": nav_items}
