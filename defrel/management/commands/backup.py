"""Back the whole database up as a copy (see defrel.backups)."""
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from defrel import backups


class Command(BaseCommand):
    help = "Copy the database into backups/ (or --output): SQLite's online backup, or pg_dump."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="file to write (default: backups/defrel-<time>.sqlite3 or .dump)")

    def handle(self, *args, output=None, **options):
        try:
            path = backups.back_up(connection, output or backups.default_path(connection))
        except (backups.BackupError, OSError) as error:
            raise CommandError(_("No backup was written: %(reason)s") % {"reason": error}) from error
        self.stdout.write(str(path))
