"""WSGI entry point."""
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanoweb.settings")
application = get_wsgi_application()

if settings.PRODUCTION:
    from django.db import connections

    from sanoweb.production_guard import check_runtime_role

    # Refuse to serve as a role row-level security would not bind; the first request
    # opens its own connection.
    check_runtime_role()
    connections.close_all()
