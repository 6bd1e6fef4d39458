"""One app server for the shared-cache tests: a Django process of its own (its settings from
the environment, as gunicorn's would be) that takes requests and edits as JSON lines on stdin
and answers each with a JSON line. Two of them on one database and one Redis stand for two
app servers behind a proxy.

    {"login": "ann"}                               sign in as ann (the session in the database)
    {"get": "/en/…", "headers": {…}}               → status, headers, body, queries
    {"post": "/admin/…", "data": {…}, "file": ["name", "text"]}   → status, body, confirm
    {"rename": ["agreement-key", "short name"]}    an editor's save, committed
    {"sources": "key"}                             → titles of the sources with that key
"""
import json
import sys


def main():
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from defrel.models import Source
    from meetings.models import Agreement

    setup_test_environment()  # the client keeps the template context (the confirm form)
    client = Client()
    for line in sys.stdin:
        command = json.loads(line)
        answer = {}
        if "login" in command:
            client.force_login(User.objects.get(username=command["login"]))
            client.cookies["django_language"] = "en"
        elif "get" in command:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(command["get"], headers=command.get("headers", {}))
            answer = {"status": response.status_code, "etag": response.get("ETag"),
                      "cache_control": response.get("Cache-Control"),
                      "body": response.content.decode(), "queries": len(queries)}
        elif "post" in command:
            data = dict(command.get("data", {}))
            if "file" in command:
                name, text = command["file"]
                data["import_file"] = SimpleUploadedFile(name, text.encode())
            response = client.post(command["post"], data, follow=True)
            form = (response.context or {}).get("confirm_form")
            answer = {"status": response.status_code, "body": response.content.decode(),
                      "confirm": {k: str(v) for k, v in form.initial.items()} if form else None}
        elif "rename" in command:
            key, short_name = command["rename"]
            agreement = Agreement.objects.get(key=key)
            agreement.short_name = short_name
            agreement.save()  # autocommit: committed, and the stamps renewed, on return
        elif "sources" in command:
            answer = {"titles": list(Source.objects.filter(key=command["sources"]).values_list("title_en", flat=True))}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
