"""`pressfeed publish`: copy the output folder to object storage (S3, R2, MinIO, B2), to a
server over SFTP, or to a folder (`file://`), incrementally, concurrently and in a safe order.

- Only what changed is uploaded: the store keeps the SHA-256 of every object last uploaded to
  each destination (its URL and endpoint), recorded as each upload completes, so a rerun after
  an interruption resumes where it stopped, and a rerun with nothing new uploads nothing.
- Every publish lists the top of the destination (one request) and compares it with what it
  recorded there: a wiped or swapped destination is noticed, and then, as with `--verify`,
  the whole destination is listed and whatever is missing or different is uploaded again
  (ETag against the local MD5 on S3, size on SFTP, bytes on a folder).
- Order (upload_order.py): by what links to what, in waves; uploads within a wave run
  concurrently (`publish.concurrency`). Deletions (`publish.delete`) come last.
- Time is bounded: each request has a timeout, a failed one is retried a few times with
  backoff (5xx, throttling, resets, timeouts), and the whole publish stops at a deadline. A
  failed or stopped publish says which object and why; the next one finishes the job.
- On SFTP and folders each file is written under a temporary name and renamed, so a web
  server never serves half a file. S3 objects appear whole by themselves.
- Each S3 object gets its Content-Type (with charset) and Cache-Control; a `.gz` copy keeps
  its original's type and says `Content-Encoding: gzip`. Host files for other servers
  (`_headers`, `.htaccess`, the nginx snippet) are not uploaded.
- Credentials: the standard AWS chain for S3; ssh-agent or `~/.ssh/` keys for SFTP, whose host
  must be in `~/.ssh/known_hosts`. Never config.yaml.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pressfeed import upload_order
from pressfeed.config import UploadLimits as Limits
from pressfeed.errors import PublishError
from pressfeed.site import ARCHIVE_MAX_AGE, HOST_FILES, content_type
from pressfeed.store import Store

#: What a listing says of an object: its size, and its ETag (S3's MD5 of a single upload).
Found = tuple[int, str | None]


@dataclass(frozen=True)
class Upload:
    key: str
    path: Path
    sha256: str
    md5: str
    size: int
    headers: dict[str, str]
    #: The keys of the site's objects this file links to (upload_order.py).
    links: frozenset[str] = frozenset()


@dataclass
class PublishReport:
    destination: str
    uploaded: list[str] = field(default_factory=list)
    unchanged: int = 0
    deleted: list[str] = field(default_factory=list)
    dry_run: bool = False
    #: The whole destination was listed and compared (`--verify`, or the check found a change).
    verified: bool = False
    #: Objects found missing or different at the destination, and uploaded again.
    missing: list[str] = field(default_factory=list)
    #: Waves the uploads went in.
    waves: int = 0


def plan_uploads(folder: Path, base_url: str = "") -> list[Upload]:
    """Every file to publish, by key; with `base_url`, what each links to (a `.gz` copy
    links what its original does)."""
    uploads = []
    for path in sorted(folder.rglob("*")):
        relpath = path.relative_to(folder).as_posix()
        hidden = any(p.startswith(".") for p in relpath.split("/"))
        if not path.is_file() or path.name in HOST_FILES or hidden:
            continue
        plain = relpath.removesuffix(".gz")
        media, max_age = content_type(plain)
        if plain.startswith("archive/"):
            max_age = ARCHIVE_MAX_AGE
        headers = {"ContentType": media, "CacheControl": f"public, max-age={max_age}"}
        if relpath.endswith(".gz"):
            headers["ContentEncoding"] = "gzip"
        data = path.read_bytes()
        links = frozenset(upload_order.links(relpath, data, base_url)) if base_url else frozenset()
        sha256, md5 = hashlib.sha256(data).hexdigest(), hashlib.md5(data, usedforsecurity=False).hexdigest()
        uploads.append(Upload(relpath, path, sha256, md5, len(data), headers, links))
    by_key = {u.key: u for u in uploads}
    return [
        _linking_as(u, by_key.get(u.key.removesuffix(".gz"))) if u.key.endswith(".gz") else u for u in uploads
    ]


def _linking_as(copy: Upload, original: Upload | None) -> Upload:
    if original is None:
        return copy
    return Upload(copy.key, copy.path, copy.sha256, copy.md5, copy.size, copy.headers, original.links)


def record_key(destination: str, endpoint_url: str | None) -> str:
    """What uploads are recorded under: the same URL at another endpoint is another place."""
    return destination if endpoint_url is None else f"{destination} at {endpoint_url.rstrip('/')}"


def publish_folder(
    store: Store,
    folder: Path,
    destination: str,
    *,
    base_url: str = "",
    endpoint_url: str | None = None,
    delete: bool = False,
    dry_run: bool = False,
    verify: bool = False,
    limits: Limits | None = None,
    on_upload: Callable[[str], None] | None = None,
) -> PublishReport:
    """Upload what changed in `folder` to `destination` (an fsspec URL), in a safe order."""
    report = PublishReport(destination.rstrip("/"), dry_run=dry_run)
    limits = limits or Limits.defaults()
    if not folder.is_dir():
        raise PublishError(f"{folder}: no output folder to publish (run pressfeed build first)")
    with contextlib.closing(open_target(report.destination, endpoint_url, limits)) as target:
        return _publish(
            store, folder, target, report, base_url, delete=delete, verify=verify, on_upload=on_upload
        )


def _publish(
    store: Store,
    folder: Path,
    target: _Target,
    report: PublishReport,
    base_url: str,
    *,
    delete: bool,
    verify: bool,
    on_upload: Callable[[str], None] | None,
) -> PublishReport:
    endpoint_url, limits, dry_run = target.endpoint_url, target.limits, report.dry_run
    record = record_key(report.destination, endpoint_url)
    known = store.uploads(record)
    uploads = plan_uploads(folder, base_url)
    present = set(known)
    listing: dict[str, Found] | None = None
    # Never published here (as far as the store knows): what is there already is listed, not
    # uploaded again. Published before: the top is checked, and all is listed if it changed.
    if verify or not known or not target.top_matches(known, uploads):
        listing = target.listing()
        known = _verified(store, record, uploads, known, listing, target, report, dry_run=dry_run)
        present = set(listing)
    todo = [u for u in uploads if known.get(u.key) != u.sha256]
    report.unchanged = len(uploads) - len(todo)
    keys = [u.key for u in todo]
    waves = upload_order.waves(keys, {u.key: set(u.links) for u in todo}, present)
    report.waves = len(waves)
    if dry_run:
        report.uploaded = [key for wave in waves for key in wave]
    else:
        by_key = {u.key: u for u in todo}
        _send(store, record, target, [[by_key[k] for k in wave] for wave in waves], limits, report, on_upload)
    if delete:
        _delete(store, record, target, uploads, set(known) | set(listing or ()), report, dry_run=dry_run)
    return report


def _verified(
    store: Store,
    record: str,
    uploads: list[Upload],
    known: dict[str, str],
    listing: dict[str, Found],
    target: _Target,
    report: PublishReport,
    *,
    dry_run: bool,
) -> dict[str, str]:
    """What the destination really holds of the planned files (as recorded uploads)."""
    report.verified = True
    there = {u.key: u.sha256 for u in uploads if u.key in listing and target.same(u, listing[u.key])}
    report.missing = sorted(k for k in known.keys() & _keys(uploads) if k not in there)
    if not dry_run:
        with store.transaction():
            store.forget_uploads(record)
            for key, digest in there.items():
                store.set_upload(record, key, digest)
    return there


def _keys(uploads: list[Upload]) -> set[str]:
    return {u.key for u in uploads}


def _send(
    store: Store,
    record: str,
    target: _Target,
    waves: list[list[Upload]],
    limits: Limits,
    report: PublishReport,
    on_upload: Callable[[str], None] | None,
) -> None:
    """Each wave's uploads at once (up to `limits.concurrency`), recorded as each completes;
    a wave with a failure is finished, and no later wave starts."""
    stop_at = time.monotonic() + limits.deadline

    def put(upload: Upload) -> None:
        if time.monotonic() > stop_at:
            raise _Late()
        target.put(upload)

    workers = min(limits.concurrency, target.max_concurrency)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pressfeed-upload") as pool:
        for wave in waves:
            failures: list[PublishError] = []
            late = 0
            futures = {pool.submit(put, upload): upload for upload in wave}
            for future in as_completed(futures):
                upload = futures[future]
                try:
                    future.result()
                except _Late:
                    late += 1
                    continue
                except PublishError as exc:
                    failures.append(exc)
                    continue
                with store.transaction():  # recorded at once: an interrupted publish resumes here
                    store.set_upload(record, upload.key, upload.sha256)
                report.uploaded.append(upload.key)
                if on_upload is not None:
                    on_upload(upload.key)
            if failures or late:
                raise _stopped(report, failures, late, limits)


class _Late(Exception):
    """An upload not started: the publish's deadline had passed."""


def _stopped(report: PublishReport, failures: list[PublishError], late: int, limits: Limits) -> PublishError:
    done = f"{len(report.uploaded)} uploaded"
    if failures:
        others = f" (and {len(failures) - 1} more failed)" if len(failures) > 1 else ""
        return PublishError(f"{failures[0]}{others}; {done}; the next publish uploads the rest")
    return PublishError(
        f"{report.destination}: stopped at the deadline ({limits.deadline:g} s, publish.deadline) with "
        f"{late} objects not uploaded; {done}; the next publish uploads the rest"
    )


def _delete(
    store: Store,
    record: str,
    target: _Target,
    uploads: list[Upload],
    there: set[str],
    report: PublishReport,
    *,
    dry_run: bool,
) -> None:
    """Objects no longer in the folder, last: nothing uploaded links to them any more."""
    wanted = _keys(uploads)
    for key in sorted(there - wanted):
        if not dry_run:
            target.remove(key)
            with store.transaction():
                store.forget_upload(record, key)
        report.deleted.append(key)


def open_target(destination: str, endpoint_url: str | None, limits: Limits) -> _Target:
    scheme = urlsplit(destination).scheme
    if scheme in ("sftp", "ssh"):
        return _SftpTarget(destination, limits)
    return _Target(destination, endpoint_url, limits)


class _Target:
    """An fsspec filesystem at a destination URL, with its errors made one clear line."""

    #: Connections a destination is given at most.
    max_concurrency = 64

    def __init__(self, destination: str, endpoint_url: str | None, limits: Limits) -> None:
        self.destination = destination
        self.endpoint_url = endpoint_url
        self.limits = limits
        with self._errors():
            import fsspec

            options: dict[str, Any] = {}
            if destination.startswith(("s3://", "s3a://")):
                _require_credentials(destination)
                options = _s3_options(endpoint_url, limits)
            self.fs, self.root = fsspec.core.url_to_fs(destination, **options)
            if hasattr(self.fs, "retries"):
                self.fs.retries = 1  # s3fs's own loop: botocore retries (see _s3_options)
            protocol = self.fs.protocol
            self.local = "file" in ((protocol,) if isinstance(protocol, str) else protocol)

    def put(self, upload: Upload) -> None:
        data = upload.path.read_bytes()
        path = f"{self.root}/{upload.key}"
        with self._errors(upload.key):
            if self.local:
                self._put_renamed(self.fs, path, data)
            else:
                self.fs.pipe_file(path, data, **upload.headers)

    @staticmethod
    def _put_renamed(fs: Any, path: str, data: bytes) -> None:
        """Write under a temporary name beside `path`, then rename: never half a file there."""
        folder, _, name = path.rpartition("/")
        fs.makedirs(folder, exist_ok=True)
        temp = f"{folder}/.{name}.{uuid.uuid4().hex[:8]}.tmp"
        fs.pipe_file(temp, data)
        try:
            fs.mv(temp, path)
        except BaseException:
            fs.rm_file(temp)
            raise

    def _connection(self) -> Any:
        """The filesystem this thread talks to (one shared here; one per thread over SFTP)."""
        return self.fs

    def remove(self, key: str) -> None:
        with self._errors(key):
            self._connection().rm_file(f"{self.root}/{key}")

    def close(self) -> None:
        """Let go of connections (S3's are pooled by s3fs for the process)."""

    def listing(self, *, top: bool = False) -> dict[str, Found]:
        """Every object under the destination (or those at its top), by key, with its size
        and its ETag where the destination has one (S3)."""
        with self._errors():
            fs = self._connection()
            fs.invalidate_cache()
            try:
                found = fs.ls(self.root, detail=True) if top else fs.find(self.root, detail=True)
            except FileNotFoundError:
                return {}
        entries = found.values() if isinstance(found, dict) else found
        prefix = f"{self.root.rstrip('/')}/"
        listed = {}
        for info in entries:
            name = str(info["name"])
            if info.get("type") == "directory" or not name.startswith(prefix):
                continue
            etag = info.get("ETag") or info.get("etag")
            listed[name[len(prefix) :]] = (int(info.get("size") or 0), str(etag).strip('"') if etag else None)
        return listed

    def top_matches(self, known: dict[str, str], uploads: list[Upload]) -> bool:
        """The cheap check: every top-level object last uploaded, and unchanged here since, is
        at the destination with its size (and ETag)."""
        expected = [u for u in uploads if "/" not in u.key and known.get(u.key) == u.sha256]
        if not expected:
            return True
        top = self.listing(top=True)
        return all(u.key in top and self.same(u, top[u.key]) for u in expected)

    def same(self, upload: Upload, found: Found) -> bool:
        size, etag = found
        if size != upload.size:
            return False
        if etag is not None and "-" not in etag:  # a multipart ETag is no MD5
            return etag == upload.md5
        if self.local:
            with self._errors(upload.key):
                return bool(
                    hashlib.sha256(self.fs.cat_file(f"{self.root}/{upload.key}")).hexdigest() == upload.sha256
                )
        return True

    def _errors(self, key: str = "") -> AbstractContextManager[None]:
        return _translated(f"{self.destination}/{key}" if key else self.destination)


def _s3_options(endpoint_url: str | None, limits: Limits) -> dict[str, Any]:
    """s3fs's own retries off; botocore's standard retries (5xx, throttling, resets,
    timeouts) with its backoff, and timeouts on every request."""
    options: dict[str, Any] = {
        "anon": False,  # s3fs would otherwise fall back to anonymous requests
        "skip_instance_cache": True,
        "config_kwargs": {
            "connect_timeout": limits.timeout,
            "read_timeout": limits.timeout,
            "retries": {"total_max_attempts": limits.retries + 1, "mode": "standard"},
            "max_pool_connections": max(10, limits.concurrency),
        },
    }
    if endpoint_url:
        options["endpoint_url"] = endpoint_url
    return options


class _SftpTarget(_Target):
    """A folder on a server reached by SSH: one connection per uploading thread."""

    #: sshd refuses more than 10 unauthenticated connections at once by default (MaxStartups).
    max_concurrency = 4

    def __init__(self, destination: str, limits: Limits) -> None:
        self.destination = destination
        self.endpoint_url = None
        self.limits = limits
        self.local = False
        parts = urlsplit(destination)
        if not parts.hostname or not parts.path.startswith("/"):
            raise PublishError(f"{destination}: an SFTP destination is sftp://user@host[:port]/absolute/path")
        self.host, self.port, self.user = parts.hostname, parts.port or 22, parts.username
        self.root = parts.path.rstrip("/") or "/"
        self._mine = threading.local()
        self._all: list[Any] = []
        self.fs = self._connection()

    def _connection(self) -> Any:
        fs = getattr(self._mine, "fs", None)
        if fs is None:
            with self._errors():
                fs = _known_hosts_sftp(self.host, self.port, self.user, self.limits.timeout)
            self._mine.fs = fs
            self._all.append(fs)
        return fs

    def put(self, upload: Upload) -> None:
        data = upload.path.read_bytes()
        for attempt in range(self.limits.retries + 1):
            try:
                with self._errors(upload.key):
                    self._put_renamed(self._connection(), f"{self.root}/{upload.key}", data)
                return
            except PublishError:
                self._mine.fs = None  # a broken connection is opened again
                if attempt == self.limits.retries:
                    raise
                time.sleep(min(0.5 * 2**attempt, 8))

    def close(self) -> None:
        for fs in self._all:
            fs.client.close()


def _known_hosts_sftp(host: str, port: int, user: str | None, timeout: float) -> Any:
    """fsspec's SFTP filesystem, trusting only hosts in ~/.ssh/known_hosts (fsspec's default
    accepts any key on first sight)."""
    import paramiko
    from fsspec.implementations.sftp import SFTPFileSystem

    class KnownHostsSFTP(SFTPFileSystem):  # type: ignore[misc]
        def _connect(self) -> None:
            self.client = paramiko.SSHClient()
            self.client.load_system_host_keys()
            self.client.set_missing_host_key_policy(paramiko.RejectPolicy())
            self.client.connect(self.host, **self.ssh_kwargs)
            self.ftp = self.client.open_sftp()
            self.ftp.get_channel().settimeout(self.ssh_kwargs.get("timeout"))

    options: dict[str, Any] = {
        "port": port,
        "timeout": timeout,
        "banner_timeout": timeout,
        "auth_timeout": timeout,
    }
    if user:
        options["username"] = user
    return KnownHostsSFTP(host, skip_instance_cache=True, **options)


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
    errors: tuple[type[Exception], ...] = (OSError, ValueError, ImportError, EOFError)
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        pass
    else:
        errors = (*errors, BotoCoreError, ClientError)
    try:
        from paramiko import SSHException
    except ImportError:
        return errors
    return (*errors, SSHException)


_STORAGE_ERRORS = _storage_errors()


def _reason(error: BaseException) -> str:
    """What went wrong, in words: an HTTP status, a network error, SSH's complaint."""
    chain = _causes(error)
    names = {type(e).__name__ for e in chain}
    text = str(error) or type(error).__name__
    status = next((s for s in map(_http_status, chain) if s is not None), None)
    if "NoCredentialsError" in names or "Unable to locate credentials" in text:
        return _NO_CREDENTIALS
    if isinstance(error, ImportError):
        module = "paramiko" if "paramiko" in text else "s3fs"
        extra = "sftp" if module == "paramiko" else "s3"
        return f"this destination needs {module}: pip install 'pressfeed[{extra}]' ({text})"
    if "AuthenticationException" in names:
        return "SSH authentication failed (load a key into ssh-agent or ~/.ssh/ for this user)"
    if "not found in known_hosts" in text:
        return "the host is not in ~/.ssh/known_hosts: connect once with ssh to check its key, then publish"
    if isinstance(error, PermissionError) or "AccessDenied" in text or status == 403:
        return f"access denied ({_words(error)})"
    if "NoSuchBucket" in text or (isinstance(error, FileNotFoundError) and status in (None, 404)):
        return f"no such bucket or path ({_words(error)})"
    if isinstance(error, ValueError):
        return f"not a usable destination ({text})"
    if status is not None:
        return f"the server answered HTTP {status} ({_words(error)})"
    return _network(names, error)


def _network(names: set[str], error: BaseException) -> str:
    if names & {"ReadTimeoutError", "ConnectTimeoutError", "TimeoutError", "socket.timeout"}:
        return "no answer in time (the server or network is silent)"
    if "EndpointConnectionError" in names or isinstance(error, ConnectionRefusedError):
        return f"cannot connect ({_words(error)})"
    if names & {"ConnectionClosedError", "ConnectionResetError", "ServerDisconnectedError", "EOFError"}:
        return "the connection was closed by the server or the network"
    return f"cannot publish: {_words(error)}"


def _causes(error: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _http_status(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return int(status) if status else None
    return None


def _words(error: BaseException) -> str:
    """The error's message without an `[Errno N]` prefix."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
