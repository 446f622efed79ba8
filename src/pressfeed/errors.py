"""Every error a user can cause is a PressfeedError; anything else is a bug."""

from __future__ import annotations


class PressfeedError(Exception):
    """Root of pressfeed's errors; the message says what to fix."""


class ConfigError(PressfeedError):
    """config.yaml is missing, unreadable or invalid; lists every fault at once."""

    def __init__(self, path: str, faults: list[str]) -> None:
        self.path = path
        self.faults = faults
        lines = [f"{path}: {fault}" for fault in faults]
        super().__init__("\n".join(lines))


class InputError(PressfeedError):
    """An input dump cannot be read, or (with --strict) has rejected records."""


class OutputError(PressfeedError):
    """The feeds cannot be produced or written; what was published is left as it was."""


class StoreError(PressfeedError):
    """The article store cannot be opened, read or written, or belongs to a newer pressfeed."""


class PublishError(PressfeedError):
    """Uploading the output folder failed (credentials, bucket, access, network); a rerun
    resumes where it stopped."""


class BusyError(PressfeedError):
    """Another pressfeed run holds the store's lock for longer than `store.lock_timeout`."""
