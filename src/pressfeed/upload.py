"""`pressfeed publish`: copy the output folder to object storage (S3, R2, MinIO, B2) or any
fsspec destination (`file://` too, through the same code), incrementally and in a safe order.

- Only what changed is uploaded: the store keeps the SHA-256 of every object last uploaded to
  each destination, recorded as each upload completes, so a rerun after an interruption
  resumes where it stopped, and a rerun with nothing new uploads nothing.
- Order: article pages and archive pages, then the subscription feeds, then the front page,
  category pages and the OPML list; a reader never fetches a feed that links to an object not
  there yet. Objects gone from the folder are deleted only with `publish.delete`, and last.
- Each object gets its Content-Type (with charset) and Cache-Control (short for subscription
  feeds and pages, a day for archive pages); a `.gz` copy keeps its original's type and says
  `Content-Encoding: gzip`. Host files for other servers (`_headers`, `.htaccess`, the nginx
  snippet) are not uploaded.
- Credentials come from the standard AWS chain (environment, profile, instance role), never
  from config.yaml.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pressfeed.errors import PublishError
from pressfeed.site import ARCHIVE_MAX_AGE, HOST_FILES, content_type
from pressfeed.store import Store


@dataclass(frozen=True)
class Upload:
    key: str
    path: Path
    sha256: str
    #: 0: article and archive pages; 1: subscription feeds; 2: front page, categories, OPML.
    rank: int
    headers: dict[str, str]


@dataclass
class PublishReport:
    destination: str
    uploaded: list[str] = field(default_factory=list)
    unchanged: int = 0
    deleted: list[str] = field(default_factory=list)
    dry_run: bool = False


def plan_uploads(folder: Path) -> list[Upload]:
    """Every file to publish, in upload order."""
    uploads = []
    for path in sorted(folder.rglob("*")):
        relpath = path.relative_to(folder).as_posix()
        if (
            not path.is_file()
            or path.name in HOST_FILES
            or any(p.startswith(".") for p in relpath.split("/"))
        ):
            continue
        plain = relpath.removesuffix(".gz")
        media, max_age = content_type(plain)
        if plain.startswith("archive/"):
            max_age = ARCHIVE_MAX_AGE
        headers = {"ContentType": media, "CacheControl": f"public, max-age={max_age}"}
        if relpath.endswith(".gz"):
            headers["ContentEncoding"] = "gzip"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        uploads.append(Upload(relpath, path, digest, _rank(plain), headers))
    return sorted(uploads, key=lambda u: u.rank)


def _rank(relpath: str) -> int:
    if relpath.startswith(("articles/", "archive/")):
        return 0
    if relpath.endswith((".atom.xml", ".rss.xml", ".json")) and "/" not in relpath:
        return 1
    return 2


def publish_folder(
    store: Store,
    folder: Path,
    destination: str,
    *,
    endpoint_url: str | None = None,
    delete: bool = False,
    dry_run: bool = False,
    on_upload: Callable[[str], None] | None = None,
) -> PublishReport:
    """Upload what changed in `folder` to `destination` (an fsspec URL), in order."""
    report = PublishReport(destination.rstrip("/"), dry_run=dry_run)
    if not folder.is_dir():
        raise PublishError(f"{folder}: no output folder to publish (run pressfeed build first)")
    target = _Target(report.destination, endpoint_url)
    known = store.uploads(report.destination)
    uploads = plan_uploads(folder)
    for upload in uploads:
        if known.get(upload.key) == upload.sha256:
            report.unchanged += 1
            continue
        if not dry_run:
            target.put(upload)
            with store.transaction():  # recorded at once: an interrupted publish resumes here
                store.set_upload(report.destination, upload.key, upload.sha256)
        report.uploaded.append(upload.key)
        if on_upload is not None:
            on_upload(upload.key)
    if delete:
        wanted = {u.key for u in uploads}
        for key in sorted(set(known) - wanted):
            if not dry_run:
                target.remove(key)
                with store.transaction():
                    store.forget_upload(report.destination, key)
            report.deleted.append(key)
    return report


class _Target:
    """An fsspec filesystem at a destination URL, with its errors made one clear line."""

    def __init__(self, destination: str, endpoint_url: str | None) -> None:
        self.destination = destination
        with self._errors():
            import fsspec

            options: dict[str, Any] = {}
            if destination.startswith(("s3://", "s3a://")):
                _require_credentials(destination)
                options["anon"] = False  # s3fs would otherwise fall back to anonymous requests
                if endpoint_url:
                    options["endpoint_url"] = endpoint_url
            self.fs, self.root = fsspec.core.url_to_fs(destination, **options)
            self.local = self.fs.protocol in ("file", "local") or "file" in self.fs.protocol

    def put(self, upload: Upload) -> None:
        data = upload.path.read_bytes()
        path = f"{self.root}/{upload.key}"
        with self._errors(upload.key):
            if self.local:
                self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
                self.fs.pipe_file(path, data)
            else:
                self.fs.pipe_file(path, data, **upload.headers)

    def remove(self, key: str) -> None:
        with self._errors(key):
            self.fs.rm_file(f"{self.root}/{key}")

    def _errors(self, key: str = "") -> AbstractContextManager[None]:
        return _translated(f"{self.destination}/{key}" if key else self.destination)


def _require_credentials(destination: str) -> None:
    """Fail early and clearly when the AWS chain finds no credentials at all."""
    import botocore.session

    if botocore.session.get_session().get_credentials() is None:
        raise PublishError(f"{destination}: {_NO_CREDENTIALS}")


_NO_CREDENTIALS = (
    "no AWS credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or a role)"
)


@contextmanager
def _translated(where: str) -> Iterator[None]:
    """Turn storage errors into PublishError: one line saying what to fix, the cause chained."""
    try:
        yield
    except PublishError:
        raise
    except _STORAGE_ERRORS as exc:
        raise PublishError(f"{where}: {_reason(exc)}") from exc


def _storage_errors() -> tuple[type[Exception], ...]:
    errors: tuple[type[Exception], ...] = (OSError, ValueError, ImportError)
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        return errors
    return (*errors, BotoCoreError, ClientError)


_STORAGE_ERRORS = _storage_errors()


def _reason(error: Exception) -> str:
    name = type(error).__name__
    text = str(error) or name
    if name == "NoCredentialsError" or "Unable to locate credentials" in text:
        return _NO_CREDENTIALS
    if isinstance(error, PermissionError) or "AccessDenied" in text or "Forbidden" in text:
        return f"access denied ({text})"
    if isinstance(error, FileNotFoundError) or "NoSuchBucket" in text:
        return f"no such bucket or path ({text})"
    if isinstance(error, ImportError):
        return f"this destination needs s3fs: pip install 'pressfeed[s3]' ({text})"
    if isinstance(error, ValueError):
        return f"not a usable destination ({text})"
    return f"cannot publish: {text}"
