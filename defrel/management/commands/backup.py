"""Back the whole database up as a copy (see defrel.backups)."""
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from defrel import backups


class Command(BaseCommand):
    # A backup or restore runs whatever a system check thinks of the code: it may be what fixes it.
    requires_system_checks = []
    help = "Copy the database into backups/ (or --output): SQLite's online backup, or pg_dump."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="file to write (default: backups/defrel-<time>.sqlite3 or .dump)")

    def handle(self, *args, output=None, **options):
        path = output or backups.default_path(connection)
        try:
            backups.back_up(connection, path)
        except (backups.BackupError, OSError) as error:
            raise CommandError(_("No backup was written to %(path)s: %(reason)s")
                               % {"path": path, "reason": error}) from error
        self.stdout.write(str(path))
