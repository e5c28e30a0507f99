"""Production settings: the base settings with every deployment check tightened.

Importing this module refuses unsafe configuration (sanoweb.production_guard): manage.py, the
WSGI application and the Celery app all import it, so none of them starts with the dev
SECRET_KEY, SQLite, or a runtime role that is the owner role.
`python manage.py check --deploy --fail-level WARNING` runs against this module in the tests.
"""

from . import production_guard
from .settings import *  # noqa: F403
from .settings import DATABASE_OWNER_URL, DATABASES, SECRET_KEY, env

production_guard.check({"SECRET_KEY": SECRET_KEY, "DATABASES": DATABASES,
                        "DATABASE_OWNER_URL": DATABASE_OWNER_URL})

# Start-up checks that need the database (production_guard.check_runtime_role) run when set.
PRODUCTION = True
DEBUG = False
# A missing signing key is an error (`manage.py create_signing_key` makes one), never a new
# key made silently by whichever process signs first.
PLATFORM_SIGNING_KEY_AUTOCREATE = False
# seed_demo creates users with published passwords.
DEMO_SEED_ALLOWED = False

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
