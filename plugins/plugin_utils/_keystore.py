# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to the mailfleet.stack collection. It is not part of
# the collection's public API and may change at any time without notice.

"""The controller's DKIM key store: one PEM file per domain and selector."""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from ansible_collections.mailfleet.stack.plugins.plugin_utils._dkim import (
    DkimKeyError,
    KeyInfo,
    check_key_request,
    generate_private_key,
    key_info,
)

__all__ = [
    "DIR_MODE",
    "FILE_MODE",
    "KeyStoreError",
    "StoredKey",
    "fetch_key",
    "key_path",
]

DIR_MODE = 0o700
FILE_MODE = 0o600
_LOCK_NAME = ".dkim_key.lock"


class KeyStoreError(Exception):
    """The key store or a key in it cannot be used; the message says what to do."""


@dataclass
class StoredKey:
    """A key as found in, or just added to, the store."""

    path: str
    pem: bytes
    info: KeyInfo
    created: bool
    warnings: list[str] = field(default_factory=list)


def key_path(key_dir: str, domain: str, selector: str) -> str:
    """Return where the key of a normalised domain and selector lives: ``<key_dir>/<domain>/<selector>.pem``."""
    return os.path.join(key_dir, domain, f"{selector}.pem")


def _make_dir(path: str, warnings: list[str]) -> None:
    try:
        os.mkdir(path, DIR_MODE)
    except FileExistsError:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            warnings.append(
                f"key store directory {path} has mode {mode:04o}; others can reach the keys, run chmod 0700 on it"
            )
        return
    except OSError as exc:
        raise KeyStoreError(
            f"cannot create the key store directory {path} ({exc.strerror}); "
            "make its parent writable by the user running Ansible, or set key_dir"
        ) from None
    os.chmod(path, DIR_MODE)


@contextlib.contextmanager
def _locked(key_dir: str) -> Iterator[None]:
    """Hold an exclusive lock on the store, so that forks asking at once make one key."""
    lock_path = os.path.join(key_dir, _LOCK_NAME)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError as exc:
        raise KeyStoreError(
            f"cannot open the lock file {lock_path} ({exc.strerror}); make {key_dir} writable by the user running Ansible"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _read(path: str, warnings: list[str]) -> StoredKey:
    try:
        with open(path, "rb") as handle:
            pem = handle.read()
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError as exc:
        raise KeyStoreError(
            f"cannot read the key file {path} ({exc.strerror}); run Ansible as the user that owns the key store"
        ) from None
    try:
        info = key_info(pem)
    except DkimKeyError:
        raise KeyStoreError(
            f"the key file {path} is corrupt or not a PEM private key; restore it from a backup. "
            "It is never replaced automatically, since mail signed with the old key would then fail: "
            "to start over, move the file away and publish the new key under a new selector"
        ) from None
    if mode & 0o077:
        warnings.append(
            f"key file {path} has mode {mode:04o}; others can read the private key, run chmod 0600 on it"
        )
    return StoredKey(path=path, pem=pem, info=info, created=False, warnings=warnings)


def _write_new(path: str, pem: bytes) -> bool:
    """Write a new key beside its final name, then link it in place; return false if one appeared meanwhile."""
    directory = os.path.dirname(path)
    try:
        fd, temp = tempfile.mkstemp(prefix=".new-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise KeyStoreError(
            f"cannot write a key in {directory} ({exc.strerror}); make it writable by the user running Ansible"
        ) from None
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            # link() never replaces an existing file, unlike rename().
            os.link(temp, path)
        except FileExistsError:
            return False
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        raise KeyStoreError(
            f"cannot write the key file {path} ({exc.strerror}); make {directory} writable by the user running Ansible"
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    return True


def fetch_key(
    key_dir: str, domain: str, selector: str, *, key_type: str, bits: int
) -> StoredKey:
    """Return the stored key for a domain and selector, making it on first use.

    The store directory and each domain directory are created with mode
    0700 and key files with mode 0600. A new key is written to a temporary
    file, flushed, then linked to its name, so a reader never sees half a
    key and needs no lock; an flock on the store makes forks that ask at
    once share one key.
    An existing key is returned as it is, whatever ``key_type`` and ``bits``
    ask for: a caller compares and warns.

    :raises KeyStoreError: when the store cannot be written or a key file is
        unreadable or corrupt; the message names the path and what to do.
    :raises DkimKeyError: when the requested key type or size is refused.
    """
    check_key_request(key_type, bits)
    warnings: list[str] = []
    path = key_path(key_dir, domain, selector)
    if os.path.lexists(path):
        # Keys are linked in whole and never rewritten, so reading needs no lock.
        return _read(path, warnings)
    _make_dir(key_dir, warnings)
    with _locked(key_dir):
        _make_dir(os.path.dirname(path), warnings)
        if os.path.lexists(path):
            return _read(path, warnings)
        pem = generate_private_key(key_type, bits)
        if not _write_new(path, pem):
            return _read(path, warnings)
    return StoredKey(
        path=path, pem=pem, info=key_info(pem), created=True, warnings=warnings
    )
