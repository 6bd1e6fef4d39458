"""Uploads kept between an import's preview and its confirmation, and the seal that lets only
their editor confirm them.

The preview stores the upload as a ``PendingImport`` row through :class:`PendingImportStorage`
(import-export's temporary storage interface), then seals it: the confirm form carries a
signed token naming the row, the editor and the time, never a file name or a server path.
The confirm step accepts a token only if its signature holds, it is younger than
``PendingImport.LIFETIME``, it was issued to the editor posting it, and the row is still
there for that editor and that admin. The confirmation takes the row as it reads it, so a
double submission imports once. Rows go after the confirmation (whatever its outcome),
after a refused preview, and when they are older than the lifetime (swept on every upload
and by ``manage.py sweep_imports``)."""
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export.tmp_storages import BaseStorage

from defrel.models import PendingImport
from defrel.uploads import FileRefused, too_large

SALT = "defrel.imports.sealed"


def gone():
    return _("The uploaded file is kept only between the preview and the confirmation, and it "
             "is gone. Upload it again.")


class PendingImportStorage(BaseStorage):
    """import-export's temporary storage, in the database; ``name`` is the row's id."""

    _data = None

    def save(self, data):
        PendingImport.objects.stale().delete()  # one indexed range delete per upload
        self.name = str(PendingImport.objects.create(data=data).pk)
        self._data = data  # the preview reads it straight back: spare the round trip

    def read(self):
        data = self._data
        if data is None:  # the confirm step takes the upload: a second confirm finds it gone
            rows = PendingImport.objects.filter(pk=self.name)
            data = rows.values_list("data", flat=True).first()
            # Of two confirms at once only one DELETE removes the row: the file is imported once.
            if data is None or not rows.delete()[0]:
                raise FileNotFoundError(gone())
            data = bytes(data)  # PostgreSQL gives a memoryview
        if len(data) > settings.DEFREL_IMPORT_MAX_BYTES:  # the cap may have been lowered since
            raise FileRefused(too_large(len(data)))
        if "b" in self.read_mode:
            return data
        return data.decode(self.encoding or "utf-8")  # a UnicodeDecodeError, as a file would

    def remove(self):
        PendingImport.objects.filter(pk=self.name).delete()


def seal(name, user, *, target, original_name, file_format, resource):
    """The preview passed: the stored upload becomes ``user``'s, and the token to confirm it."""
    PendingImport.objects.filter(pk=name, user=None).update(
        user=user, target=target, original_name=original_name[:255], format=file_format,
        resource=resource)
    return token(name, user)


def token(name, user):
    """The seal of the stored upload ``name`` for ``user`` (see unseal)."""
    return signing.dumps({"pending": int(name), "user": user.pk}, salt=SALT)


def unseal(token, user, *, target):
    """The pending upload ``token`` lets ``user`` confirm in the admin of ``target`` (without
    its data), or a ValidationError that says why not and quotes nothing."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=PendingImport.LIFETIME)
    except signing.SignatureExpired:
        raise ValidationError(_("This preview is more than an hour old. Upload the file again."),
                              code="expired") from None
    except signing.BadSignature:
        payload = None
    if not isinstance(payload, dict) or payload.get("user") != user.pk:
        raise ValidationError(_("This confirmation was not issued to you for a file you uploaded. "
                                "Upload the file and confirm its preview."), code="not_yours")
    pending = (PendingImport.objects.fresh().defer("data")
               .filter(pk=payload.get("pending"), user=user, target=target).first())
    if pending is None:
        raise ValidationError(gone(), code="gone")
    return pending


def discard(token, user):
    """Remove the upload ``token`` names if it is ``user``'s, whatever its age or outcome."""
    try:
        payload = signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        return
    if isinstance(payload, dict):
        PendingImport.objects.filter(pk=payload.get("pending"), user=user).delete()
