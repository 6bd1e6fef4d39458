"""Strings that django-import-export, django-simple-history and django-axes show in the admin
but do not translate into Japanese (simple-history and axes have no Japanese catalogue;
import-export's is partial).
Marked here so that `make messages` carries them into defrel's catalogue, which Django reads
before the libraries' own (LOCALE_PATHS); the msgids must stay exactly the libraries'."""
from django.utils.translation import gettext_noop, ngettext_lazy

IMPORT_EXPORT = [
    gettext_noop("Import finished: {} new, {} updated, {} deleted and {} skipped {}."),
    gettext_noop("%s through import_export"),
    gettext_noop("%(exc_name)s encountered while trying to read file. Ensure you have chosen the "
                 "correct format for the file."),
    gettext_noop("No valid data to import. Ensure your file has the correct headers or data for import."),
    gettext_noop("Resource"),
    gettext_noop('Select at least 1 field for "%(resource_name)s" to export'),
    gettext_noop("This exporter will export the following fields: "),
    gettext_noop("Select all"),
    gettext_noop("Some rows failed to validate"),
    gettext_noop("Please correct these errors in your data where possible, then reupload it using "
                 "the form above."),
    gettext_noop("Row"),
    gettext_noop("Non field specific"),
    gettext_noop("Value could not be parsed."),
    ngettext_lazy("Export %(len)s selected item.", "Export %(len)s selected items.", "len"),
]

SIMPLE_HISTORY = [
    gettext_noop('The %(name)s "%(obj)s" was changed successfully.'),
    gettext_noop("You may edit it again below"),
    gettext_noop("Revert %s"),
    gettext_noop("View history: %s"),
    gettext_noop("Deleted %(type_name)s"),
    gettext_noop("Created"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
    gettext_noop("Choose a date from the list below to revert to a previous version of this object."),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("View %(verbose_name)s"),
    gettext_noop("Press the 'Revert' button below to revert to this version of the object."),
    gettext_noop("Press the 'Change History' button below to edit the history."),
    gettext_noop("Object"),
    gettext_noop("Comment"),
    gettext_noop("Changed by"),
    gettext_noop("Change reason"),
    gettext_noop("Changes"),
    gettext_noop("None"),
    gettext_noop("Revert"),
    gettext_noop("Change History"),
    ngettext_lazy("entry", "entries", "counter"),
]

AXES = [
    gettext_noop("access failure"), gettext_noop("access failures"),
    gettext_noop("access attempt"), gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"), gettext_noop("access attempt expirations"),
    gettext_noop("access log"), gettext_noop("access logs"), gettext_noop("Access Attempt"),
    gettext_noop("User Agent"), gettext_noop("IP Address"), gettext_noop("HTTP Accept"),
    gettext_noop("Path"), gettext_noop("Attempt Time"), gettext_noop("Access lock out"),
    gettext_noop("GET Data"), gettext_noop("POST Data"), gettext_noop("Failed Logins"),
    gettext_noop("Expires At"), gettext_noop("Logout Time"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("Session key hash (sha256)"), gettext_noop("Locked Out"),
    gettext_noop("Form Data"), gettext_noop("Meta Data"), gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"), gettext_noop("Attempt Remaining"),
]
