def init_app(app):
    from . import views

    app.register_blueprint(views.bp)

    @app.context_processor
    def unread():
        from flask_login import current_user

        def unread_notifications():
            if not current_user.is_authenticated:
                return 0
            from .service import unread_count

            return unread_count(current_user)

        from .service import failure_text

        return {"unread_notifications": unread_notifications, "failure_text": failure_text}
