"""A small HTTP client for the benchmark: one host, cookies kept, a new connection per request
(gunicorn's sync worker closes it), the whole body read."""
import http.client
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

USER, PASSWORD = "bench", "bench-only-password-9f3k"


class Client:
    def __init__(self, port, timeout=1200):
        self.port, self.cookies, self.timeout = port, {}, timeout

    def open(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if isinstance(body, dict):
            body = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        return conn, response

    def get(self, path, **kwargs):
        conn, response = self.open("GET", path, **kwargs)
        body = response.read()
        conn.close()
        return response.status, body

    def login_django_admin(self, login_path):
        status, page = self.get(login_path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        conn, response = self.open("POST", login_path, body={
            "csrfmiddlewaretoken": token, "username": USER, "password": PASSWORD, "next": login_path,
        })
        response.read()
        conn.close()
        if "sessionid" not in self.cookies:
            raise RuntimeError(f"admin login failed ({response.status})")


class FormInputs(HTMLParser):
    """The inputs of a page's forms: name → list of values (checked boxes, chosen options)."""

    def __init__(self):
        super().__init__()
        self.fields, self.select, self.options = {}, None, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            if a.get("type") == "checkbox":
                self.fields.setdefault(a["name"], []).append(a.get("value") or "on")
            elif a.get("type") not in {"submit", "file"}:
                self.fields.setdefault(a["name"], []).append(a.get("value", ""))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select:
            self.options.setdefault(self.select, []).append((a.get("value", ""), ""))

    def handle_data(self, data):
        if self.select and self.options.get(self.select) and not self.options[self.select][-1][1]:
            value, _ = self.options[self.select][-1]
            self.options[self.select][-1] = (value, data.strip())

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
