"""The import's confirm step."""
from import_export.forms import ConfirmImportForm

from defrel.imports import sealed


class SealedConfirmForm(ConfirmImportForm):
    """Carries only the seal of the stored upload (in ``import_file_name``, where import-export
    expects the file's name). What the preview read the file as — its name, format and
    resource — comes back from the stored row, not from the browser."""

    original_file_name = None
    format = None
    resource = None

    def __init__(self, *args, user, target, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.target = user, target

    def clean_import_file_name(self):
        self.pending = sealed.unseal(self.cleaned_data["import_file_name"], self.user,
                                     target=self.target)
        return str(self.pending.pk)  # PendingImportStorage's name for it

    def clean(self):
        cleaned = super().clean()
        if pending := getattr(self, "pending", None):
            cleaned.update(original_file_name=pending.original_name, format=pending.format,
                           resource=pending.resource)
        return cleaned
