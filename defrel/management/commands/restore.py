"""Restore a backup made by ``backup`` into an empty database (never over existing data)."""
import subprocess

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from defrel import stamp
from defrel.management.commands.backup import pg_environment


class Command(BaseCommand):
    help = "Restore a backup file into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        from partners.models import Country

        if path.endswith(".dump"):
            if connection.vendor != "postgresql":
                raise CommandError("A .dump file is a PostgreSQL backup; restore it on PostgreSQL.")
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
                if cursor.fetchone()[0]:
                    raise CommandError("The database is not empty; restore into a new, empty database.")
            result = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname",
                                     pg_environment()["PGDATABASE"], path],
                                    env=pg_environment(), capture_output=True, text=True)
            if result.returncode:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        else:
            call_command("migrate", verbosity=0)
            if Country.objects.exists():
                raise CommandError("The database already holds data; restore into an empty one.")
            call_command("loaddata", path, verbosity=0)
        stamp.bump()  # the restored data, whatever counts a server cached before
        self.stdout.write(f"Restored {path}")
