"""WSGI entry point (used by `productize serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "productize.settings")
application = get_wsgi_application()
