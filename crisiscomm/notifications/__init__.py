def init_app(app):
    from ..cli import register_setup
    from . import cli, methods, views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.app_bp)
    app.cli.add_command(cli.push_cli)
    register_setup(app, cli.ensure_vapid_key)
    from .service import register_action

    register_action("contact_verify", methods.confirm_by_action)

    @app.context_processor
    def unread():
        from flask_login import current_user

        def unread_notifications():
            if not current_user.is_authenticated:
                return 0
            from .service import unread_count

            return unread_count(current_user)

        def contact_channels():
            """For the account page and the push prompt: the person's channels and routes."""
            return {"methods": methods.methods_for(current_user), "routes": methods.routes_for(current_user),
                    "routable": methods.ROUTABLE, "describe": methods.describe, "kind_label": methods.kind_label,
                    "has_push": any(m.kind == "push" and m.usable for m in methods.methods_for(current_user))}

        from .service import failure_text

        return {"unread_notifications": unread_notifications, "contact_channels": contact_channels,
                "failure_text": failure_text}
