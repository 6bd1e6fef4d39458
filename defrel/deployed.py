"""The deployment a process runs: a digest of what draws the public pages, so that nothing kept
under the data stamp (defrel.stamp) is taken, after a deployment, for what the new code
draws.

The pages' parts are kept in the shared cache (Redis outlives the app's processes) and
readers keep whole pages under their ETag, both until the data changes: a deployment that
changed a template, a translation or the code would otherwise go on being served as the old
deployment drew it until the next edit or for a day. Its version is in every cache key
(settings.CACHES) and in the pages' ETag and Last-Modified (defrel.http_cache).

It is read from the files themselves rather than set by whoever deploys, so that it cannot be
forgotten: every file of each app (code, templates, static files, translations), and the
Python and the packages installed (a library's widget or the admin draw some of the HTML).
It is read once a process, at the first use of the cache (25 ms), not at start-up.
"""
import functools
import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def app_directories(root=ROOT):
    """The project's apps: the directories under ``root`` that hold an apps.py."""
    return sorted(path.parent for path in root.glob("*/apps.py"))


def files(directories):
    """Every file under ``directories`` but Python's compiled ones, in a stable order."""
    found = []
    for directory in directories:
        for folder, subfolders, names in os.walk(directory):
            subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
            found += [Path(folder, name) for name in sorted(names)]
    return found


def packages():
    """The packages installed (their dist-info directories name them with their versions)."""
    return sorted({name for entry in sys.path if os.path.isdir(entry)
                   for name in os.listdir(entry) if name.endswith(".dist-info")})


def digest(root=ROOT):
    """(A digest of the deployment, when its newest file was written) of the apps under ``root``."""
    found, newest = hashlib.blake2b(digest_size=8), 0.0
    found.update(sys.version.encode())
    for name in packages():
        found.update(name.encode() + b"\0")
    for path in files(app_directories(root)):
        found.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
        newest = max(newest, path.stat().st_mtime)
    return found.hexdigest(), newest


@functools.cache
def current():
    return digest()


def version():
    """The running deployment's digest."""
    return current()[0]


def written():
    """When the running deployment's newest file was written (a POSIX timestamp)."""
    return current()[1]


def cache_key(key, key_prefix, key_version):
    """settings.CACHES' KEY_FUNCTION: Django's key (prefix, version, key) under the deployment's
    version, so that a deployment reads none of what an earlier one kept."""
    return f"{version()}:{key_prefix}:{key_version}:{key}"
