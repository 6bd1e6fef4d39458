"""The benchmark's work inside Django, run in a child process bound to one database and one
checkout of the app (the benchmark's own process sets nothing up: it measures servers and
children from outside, and may measure two revisions of the app side by side):

    python bench/child.py <helper> <database url> [arguments]

The app is the one at $BENCH_APP_ROOT (a baseline revision's worktree), else this checkout;
the helper's code is always this checkout's bench/. Each helper prints one JSON object.
"""
import importlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"

# helper → (module in bench/, function): the function gets the arguments after the URL.
HELPERS = {
    "setup": ("pages", "setup"),
    "synth": ("data", "fill"),
    "data_state": ("data", "state"),
    "import": ("imports", "import_rows"),
    "admin_import": ("admin_import", "run"),
    "view": ("exports", "view_sql"),
    "copy": ("exports", "copy"),
    "loadtest_setup": ("loadtest", "setup"),
    "loadtest_verify": ("loadtest", "verify"),
    "replay": ("replay", "run"),
}


def app_root():
    return Path(os.environ.get("BENCH_APP_ROOT") or ROOT)


def django_setup(database_url):
    """Django set up for the app at app_root(), bound to ``database_url``."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defrel.settings")
    sys.path.insert(0, str(app_root()))
    import django

    django.setup()


def main():
    helper, database_url, *args = sys.argv[1:]
    module, function = HELPERS[helper]
    sys.path.insert(0, str(BENCH))
    django_setup(database_url)
    result = getattr(importlib.import_module(module), function)(*args)
    if result is not None:
        print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
