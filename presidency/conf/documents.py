"""Settings of the documents attached to activities, sources and outcomes (tracker/documents.py,
tracker/services/documents.py).

They are stored through the "documents" alias of STORAGES (settings.py sets it to DOCUMENTS_STORAGE): the file
system under MEDIA_ROOT by default, or an S3-compatible object store (django-storages) when DOCUMENTS_S3_BUCKET
is set, so several web hosts share the files. They are never served from a public URL: downloads go through
an access-checking view.
"""

from __future__ import annotations

from pathlib import Path

from presidency.env import env_int, env_str

_BASE_DIR = Path(__file__).resolve().parent.parent.parent

MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(_BASE_DIR / "var" / "media")))
MEDIA_URL = "/media-not-served/"  # nothing is served from here; the download view streams each file
DOCUMENTS_S3_BUCKET = env_str("DOCUMENTS_S3_BUCKET")
if DOCUMENTS_S3_BUCKET:
    DOCUMENTS_STORAGE: dict = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DOCUMENTS_S3_BUCKET,
            "endpoint_url": env_str("DOCUMENTS_S3_ENDPOINT_URL") or None,  # MinIO, Ceph, moto...; empty = AWS
            "region_name": env_str("DOCUMENTS_S3_REGION") or None,
            "access_key": env_str("DOCUMENTS_S3_ACCESS_KEY_ID") or None,  # empty: boto3's own credential chain
            "secret_key": env_str("DOCUMENTS_S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("DOCUMENTS_S3_PREFIX", "documents"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    DOCUMENTS_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                         "OPTIONS": {"location": str(MEDIA_ROOT / "documents")}}
# The largest file accepted; larger uploads are refused with 413 naming the limit and nothing is stored.
DOCUMENTS_MAX_BYTES = env_int("DOCUMENTS_MAX_BYTES", 25 * 1024 * 1024, minimum=1024)
# Production behind nginx: the download view checks access, then hands the transfer to the proxy with
# X-Accel-Redirect: <this prefix><stored name> (an `internal` location aliasing MEDIA_ROOT/documents/).
# Empty: the view streams the file itself (the only way with S3).
DOCUMENTS_X_ACCEL_REDIRECT_PREFIX = env_str("DOCUMENTS_X_ACCEL_REDIRECT_PREFIX")
