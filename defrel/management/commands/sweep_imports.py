"""Remove uploads whose import was previewed more than an hour ago and never confirmed.

Every upload already sweeps them; run this from cron where uploads are rare."""
from django.core.management.base import BaseCommand

from defrel.models import PendingImport


class Command(BaseCommand):
    help = "Remove uploads previewed for import more than an hour ago and never confirmed."

    def handle(self, *args, **options):
        count, _by_model = PendingImport.objects.stale().delete()
        if options["verbosity"]:
            self.stdout.write(f"{count} pending import(s) removed.")
