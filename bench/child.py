"""Setting Django up in a benchmark's child process, bound to one database (the benchmark's
own process never sets Django up: it measures servers and children from outside)."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defrel.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
