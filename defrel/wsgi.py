import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defrel.settings")
application = get_wsgi_application()

from defrel import long_lived  # noqa: E402 - after Django is set up

long_lived.after_warm_up()
