"""Check that every curated excerpt quotes its own source verbatim (defrel.provenance)."""
from django.core.management.base import BaseCommand, CommandError

from defrel import provenance


class Command(BaseCommand):
    help = "Check every curated record's excerpt against the text of the source it names."

    def add_arguments(self, parser):
        parser.add_argument("fixtures", nargs="*", help="Fixture files (default: all of fixtures/).")

    def handle(self, *args, fixtures=(), **options):
        counts, problems = provenance.check(fixtures or None)
        for model, seen in sorted(counts.items()):
            self.stdout.write(f"{model}: {seen['quoted']} quoted, {seen['not_found']} not found")
        for name, index, model, key, why in problems:
            self.stderr.write(f"{name} #{index} {model} {key}: {why}")
        if problems:
            raise CommandError(f"{len(problems)} excerpts do not check out.")
        self.stdout.write(self.style.SUCCESS("Every excerpt is found in its source."))
