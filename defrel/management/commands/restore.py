"""Restore a backup made by ``backup``: into an empty database, or over one with --replace."""
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from defrel import backups, stamp


class Command(BaseCommand):
    # A backup or restore runs whatever a system check thinks of the code: it may be what fixes it.
    requires_system_checks = []
    help = "Restore a backup file into an empty database (--replace: over everything in this one)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--replace", action="store_true",
                            help="overwrite every table of a database that is not empty")

    def handle(self, *args, path, replace=False, **options):
        try:
            backups.restore(connection, path, replace=replace)
        except (backups.BackupError, OSError) as error:
            raise CommandError(_("The restore failed: %(reason)s") % {"reason": error}) from error
        stamp.bump()  # cached counts describe the data before the restore
        self.stdout.write(_("Restored %(path)s") % {"path": path})
