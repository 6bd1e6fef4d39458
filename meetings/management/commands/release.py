from django.core.management.base import BaseCommand

from meetings import release


class Command(BaseCommand):
    help = ("Write a citable data release: releases/defrel-<version>.zip with every table as CSV, "
            "datapackage.json, CITATION.cff, CHANGELOG.md and the licence terms.")

    def add_arguments(self, parser):
        parser.add_argument("--directory", help="where to write it (default: settings.RELEASES_DIR)")

    def handle(self, *args, directory=None, **options):
        made = release.build(directory)
        self.stdout.write(f"defrel {made.version}: {made.filename} ({made.records:,} records)")
