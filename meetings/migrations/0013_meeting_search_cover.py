"""On PostgreSQL, an index that holds every column a search of the meetings list reads of each
meeting it finds (FacetedFilterSet.search_of: the columns the facets count, the list's order,
the occasion to join), so that the search reads them from the index alone instead of visiting
each meeting's row, which is mostly summaries. Measured (bench/NOTES.md, "The meetings a search
finds, read from an index"): the search's query 23.8 → 18.4 ms, the page 68–69 → 59–63 ms.

SQLite gains nothing from the same columns in an index (10.4 against 10.3 ms): it has none.
Django's Index would create an index of the id alone there (``include`` is PostgreSQL's), so the
index is PostgreSQL's own SQL. A column added to the facets later is read from the row again
until it is added here: slower, never wrong."""
from django.db import migrations

from defrel.vendor_sql import by_vendor

CREATE = ("CREATE INDEX IF NOT EXISTS meeting_search_cover ON meetings_meeting (id) INCLUDE "
          "(date_lower, key, level, kind, format, venue, date_upper, occasion_id, count)")
DROP = "DROP INDEX IF EXISTS meeting_search_cover"


class Migration(migrations.Migration):
    dependencies = [("meetings", "0012_release")]

    operations = [migrations.RunPython(by_vendor({"postgresql": [CREATE]}), by_vendor({"postgresql": [DROP]}),
                                       elidable=False)]
