"""The read-only JSON API at /api/: a JSON twin of every public list and record page.

Built on Django REST Framework with drf-spectacular rather than written by hand or with
django-ninja, because each piece is already there and already reuses the site's own rules:
DRF's pagination interface takes a keyset paginator (meetings.api.paging); django-filter's
DjangoFilterBackend runs the very FilterSets of the HTML lists (meetings.filters), so a
filter is one rule for the page, its CSV and its JSON; AnonRateThrottle limits anonymous
clients; drf-spectacular describes it all as OpenAPI 3 and its SpectacularSwaggerSplitView
serves Swagger UI's start-up script as a file of its own, so the site's strict CSP (no inline
script) holds on the documentation page, whose assets come from drf-spectacular-sidecar
instead of a CDN.

It lives in the meetings app because, like the profile pages (meetings.views), it reads
meetings and partners alike, and its field names are the import-export resources' columns.
"""
