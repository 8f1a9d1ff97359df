"""Navigation by role: each domain registers its entries; base.html draws those the user may use."""
from flask import url_for
from flask_login import current_user


class NavItem:
    def __init__(self, endpoint, label, roles=None, order=50, icon=None, public=False, more=None):
        self.endpoint, self.label, self.roles, self.order, self.icon, self.public = (
            endpoint, label, roles, order, icon, public)
        # Settings and reference pages (order 80+) go under "More" so the daily entries fit on one line.
        self.more = order >= 80 if more is None else more

    def visible_to(self, user):
        if self.public:
            return True
        if not (user and user.is_authenticated):
            return False
        return self.roles is None or user.role in self.roles


def register(app, endpoint, label, roles=None, order=50, icon=None, public=False, more=None):
    app.extensions.setdefault("crisiscomm_nav", []).append(
        NavItem(endpoint, label, roles, order, icon, public, more))


def init_app(app):
    @app.context_processor
    def navigation():
        def nav_items():
            items = sorted(app.extensions.get("crisiscomm_nav", []), key=lambda i: i.order)
            return [(url_for(i.endpoint), i) for i in items if i.visible_to(current_user)]

        return {"nav_items": nav_items}
