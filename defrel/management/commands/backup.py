"""A whole-database backup: pg_dump on PostgreSQL, a natural-key JSON dump elsewhere."""
import datetime
import os
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

# Rebuilt by migrate on the target, or not worth keeping (sessions, login attempts).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]


def pg_environment():
    db = settings.DATABASES["default"]
    return {**os.environ, "PGHOST": str(db["HOST"] or ""), "PGPORT": str(db["PORT"] or ""),
            "PGUSER": db["USER"] or "", "PGPASSWORD": db["PASSWORD"] or "", "PGDATABASE": db["NAME"]}


class Command(BaseCommand):
    help = "Back the database up into backups/ (or --output)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="file to write (default: backups/defrel-<time>.<ext>)")

    def handle(self, *args, output=None, **options):
        postgres = connection.vendor == "postgresql"
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = Path(output or Path(settings.BASE_DIR) / "backups" / f"defrel-{stamp}.{'dump' if postgres else 'json'}")
        path.parent.mkdir(parents=True, exist_ok=True)
        if postgres:
            result = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(path)],
                                    env=pg_environment(), capture_output=True, text=True)
            if result.returncode:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        else:
            call_command("dumpdata", natural_foreign=True, natural_primary=True, exclude=EXCLUDED,
                         indent=1, output=str(path), verbosity=0)
        self.stdout.write(str(path))
