# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import stat
from pathlib import Path

import pytest

from ansible_collections.mailfleet.stack.plugins.plugin_utils._keystore import (
    KeyStoreError,
    fetch_key,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _store_copy(key_store, tmp_path: Path) -> Path:
    store = tmp_path / "dkim_keys"
    shutil.copytree(key_store["inventory"] / "dkim_keys", store)
    return store


def test_new_key_modes(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        stored = fetch_key(
            str(tmp_path / "keys"), "example.org", "s1", key_type="ed25519", bits=2048
        )
    finally:
        os.umask(old)
    assert stored.created
    assert _mode(tmp_path / "keys") == 0o700
    assert _mode(tmp_path / "keys" / "example.org") == 0o700
    assert _mode(Path(stored.path)) == 0o600
    assert sorted(os.listdir(tmp_path / "keys" / "example.org")) == ["s1.pem"]


def test_existing_key_is_reused_whatever_is_asked(key_store, tmp_path: Path) -> None:
    store = _store_copy(key_store, tmp_path)
    before = (store / "example.com" / "mail.pem").read_bytes()
    stored = fetch_key(str(store), "example.com", "mail", key_type="ed25519", bits=4096)
    assert not stored.created
    assert stored.pem == before
    assert (stored.info.key_type, stored.info.bits) == ("rsa", 2048)


def test_corrupt_key_names_the_file_and_is_kept(key_store, tmp_path: Path) -> None:
    store = _store_copy(key_store, tmp_path)
    path = store / "example.com" / "mail.pem"
    path.write_bytes(b"-----BEGIN RSA PRIVATE KEY-----\ngarbage\n")
    error = (
        f"the key file {path} is corrupt or not a PEM private key; restore it from a backup. "
        "It is never replaced automatically, since mail signed with the old key would then fail: "
        "to start over, move the file away and publish the new key under a new selector"
    )
    with pytest.raises(KeyStoreError, match=f"^{re.escape(error)}$"):
        fetch_key(str(store), "example.com", "mail", key_type="rsa", bits=2048)
    assert path.read_bytes() == b"-----BEGIN RSA PRIVATE KEY-----\ngarbage\n"


def test_unwritable_store_says_what_to_do(tmp_path: Path) -> None:
    # A file where the parent directory should be fails for root too.
    (tmp_path / "inventory").write_text("")
    key_dir = tmp_path / "inventory" / "dkim_keys"
    error = f"cannot create the key store directory {key_dir} (Not a directory); make its parent writable by the user running Ansible, or set key_dir"
    with pytest.raises(KeyStoreError, match=f"^{re.escape(error)}$"):
        fetch_key(str(key_dir), "example.com", "mail", key_type="rsa", bits=2048)


def test_readable_key_gets_a_warning(key_store, tmp_path: Path) -> None:
    store = _store_copy(key_store, tmp_path)
    path = store / "example.com" / "mail.pem"
    path.chmod(0o644)
    stored = fetch_key(str(store), "example.com", "mail", key_type="rsa", bits=2048)
    assert stored.warnings == [
        f"key file {path} has mode 0644; others can read the private key, run chmod 0600 on it"
    ]


def _fork_fetch(key_dir: str, queue) -> None:
    stored = fetch_key(key_dir, "race.example", "mail", key_type="rsa", bits=1024)
    queue.put((stored.pem, stored.created))


def test_forks_asking_at_once_share_one_key(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [
        context.Process(target=_fork_fetch, args=(str(tmp_path / "keys"), queue))
        for _index in range(4)
    ]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=60) for _worker in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert len({pem for pem, _created in results}) == 1
    assert sorted(created for _pem, created in results) == [False, False, False, True]
    assert sorted(os.listdir(tmp_path / "keys" / "race.example")) == ["mail.pem"]
