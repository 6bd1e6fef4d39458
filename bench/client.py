"""A small HTTP client for the benchmark: one host, cookies kept, a new connection per request
(gunicorn's sync worker closes it), the whole body read; and what an editor's browser posts
from an admin change form."""
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


class ChangeForm(HTMLParser):
    """What a browser would post from the admin's change form: inputs (ticked boxes only),
    textareas, and the chosen options of each select. ``form_id`` None: the admin's change
    form, whichever model's (its id ends in ``_form``). (The tests read forms with it too.)"""

    def __init__(self, form_id=None):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, []
        self.select, self.first_option, self.chose, self.textarea = None, None, False, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            found = a.get("id") or ""
            self.inside = found == self.form_id if self.form_id else found.endswith("_form")
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.data.append((name, a.get("value") or "on"))
            elif kind not in {"submit", "button", "image", "file", "reset"}:
                self.data.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select, self.first_option, self.chose = name, None, False
        elif tag == "option" and self.select:
            value = a.get("value", "")
            if self.first_option is None:
                self.first_option = value
            if "selected" in a:
                self.data.append((self.select, value))
                self.chose = True

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):  # HTML drops the newline right after <textarea>
                text = text[1:]
            self.data.append((name, text))
            self.textarea = None
        elif tag == "select" and self.select:
            if not self.chose and self.first_option is not None:
                self.data.append((self.select, self.first_option))
            self.select = None


def save_change_form(client, path, form_id, change):
    """An editor's save in the admin: the change form at ``path`` read, its fields (name, value)
    passed through ``change``, posted back as the browser would. The answer's status and body
    (302: saved; 200: the form again, with its errors)."""
    status, page = client.get(path)
    if status != 200:
        return status, page
    form = ChangeForm(form_id)
    form.feed(page.decode())
    body = [(name, value) for name, value in change(form.data) if name != "_save"]
    conn, response = client.open("POST", path, body=urlencode(body),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    answer = response.read()
    conn.close()
    return response.status, answer
