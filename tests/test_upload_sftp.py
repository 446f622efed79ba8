"""`pressfeed publish` to sftp:// against a real OpenSSH server the tests start on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pressfeed.config import Config
from pressfeed.errors import PublishError
from pressfeed.pipeline import build, publish_output
from pressfeed.upload import plan_uploads
from test_upload import NOW, dangling_after_each_upload, links_of

SSHD = shutil.which("sshd") or next((p for p in ("/usr/sbin/sshd",) if os.access(p, os.X_OK)), None)
pytestmark = [
    pytest.mark.skipif(SSHD is None, reason="needs OpenSSH's sshd (Debian: apt-get install openssh-server)"),
    pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen (openssh-client)"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path.with_suffix(".pub").read_text(encoding="utf-8").strip()


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path, Path]]:
    """An sshd on 127.0.0.1 accepting this user's test key; yields (port, its host's public key
    line file, the client key)."""
    pytest.importorskip("paramiko", reason="needs paramiko: pip install 'pressfeed[sftp]'")
    folder = tmp_path_factory.mktemp("sshd")
    host_key, client_key = folder / "host_key", folder / "client_key"
    host_public = _keygen(host_key)
    (folder / "authorized_keys").write_text(_keygen(client_key) + "\n", encoding="utf-8")
    port = _free_port()
    config = folder / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\n"
        f"AuthorizedKeysFile {folder / 'authorized_keys'}\nPidFile {folder / 'sshd.pid'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
        "PermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\nSubsystem sftp internal-sftp\n",
        encoding="utf-8",
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation wants it
    assert SSHD is not None
    server = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if server.poll() is not None:
            error = server.stderr.read().decode() if server.stderr else ""
            pytest.skip(f"sshd did not start here: {error.strip()[-300:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    known = folder / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {host_public}\n", encoding="utf-8")
    yield port, known, client_key
    server.terminate()
    server.wait(timeout=10)
    if server.stderr is not None:
        server.stderr.close()


@pytest.fixture
def home(sshd: tuple[int, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME whose ~/.ssh holds the test key and knows the server's host key."""
    _, known, client_key = sshd
    ssh = tmp_path / "home" / ".ssh"
    ssh.mkdir(parents=True)
    shutil.copy(client_key, ssh / "id_ed25519")
    shutil.copy(known, ssh / "known_hosts")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    return ssh


@pytest.fixture
def site(config: Config, sshd: tuple[int, Path, Path], home: Path, tmp_path: Path) -> Config:
    build(config, now=NOW)
    user = (
        os.environ.get("USER") or subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    )
    www = tmp_path / "www"
    return dataclasses.replace(config, publish_to=f"sftp://{user}@127.0.0.1:{sshd[0]}{www}")


def served(www: Path) -> dict[str, str]:
    return {
        p.relative_to(www).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in www.rglob("*")
        if p.is_file()
    }


def test_a_site_goes_up_over_sftp_in_a_safe_order_and_a_rerun_sends_nothing(
    site: Config, tmp_path: Path
) -> None:
    order: list[str] = []
    report = publish_output(site, on_upload=order.append)
    planned = {u.key: u.sha256 for u in plan_uploads(site.output_dir)}
    assert served(tmp_path / "www") == planned  # no temporary left, every byte right
    faults = dangling_after_each_upload(order, links_of(site), {})
    assert all(f.rpartition(" ")[2].endswith((".xml", ".json", ".opml")) for f in faults)
    assert sorted(report.uploaded) == sorted(planned)
    again = publish_output(site)
    assert (again.uploaded, again.unchanged) == ([], len(planned))


def test_files_land_under_a_temporary_name_then_are_renamed(
    site: Config, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A web server serving the folder never sees half a file: each is written beside its
    target and renamed over it (an atomic rename on the server)."""
    from fsspec.implementations.sftp import SFTPFileSystem

    renames: list[tuple[str, str]] = []
    real_mv = SFTPFileSystem.mv

    def mv(self: SFTPFileSystem, old: str, new: str) -> None:
        renames.append((old, new))
        real_mv(self, old, new)

    monkeypatch.setattr(SFTPFileSystem, "mv", mv)
    report = publish_output(site)
    www = tmp_path / "www"
    assert sorted(new for _, new in renames) == sorted(f"{www}/{key}" for key in report.uploaded)
    assert all(Path(old).name.startswith(".") and old.endswith(".tmp") for old, _ in renames)


def test_verify_puts_back_what_was_removed_on_the_server(site: Config, tmp_path: Path) -> None:
    publish_output(site)
    www = tmp_path / "www"
    gone = sorted(www.glob("articles/*/*.html"))[:2]
    for path in gone:
        path.unlink()
    report = publish_output(site, verify=True)
    assert sorted(report.uploaded) == report.missing == sorted(p.relative_to(www).as_posix() for p in gone)
    assert served(www) == {u.key: u.sha256 for u in plan_uploads(site.output_dir)}


def test_a_wiped_server_folder_is_noticed_without_verify(site: Config, tmp_path: Path) -> None:
    publish_output(site)
    shutil.rmtree(tmp_path / "www")
    report = publish_output(site)
    assert report.verified and len(report.uploaded) == len(plan_uploads(site.output_dir))


def test_an_unknown_host_is_refused_with_what_to_do(site: Config, home: Path) -> None:
    (home / "known_hosts").write_text("", encoding="utf-8")
    with pytest.raises(PublishError) as caught:
        publish_output(site)
    assert str(caught.value) == (
        f"{site.publish_to}: the host is not in ~/.ssh/known_hosts: connect once with ssh to check its "
        "key, then publish"
    )


def test_a_key_the_server_does_not_accept_is_one_clear_error(site: Config, home: Path) -> None:
    (home / "id_ed25519").unlink()
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(home / "id_ed25519")], check=True
    )
    with pytest.raises(PublishError) as caught:
        publish_output(site)
    assert str(caught.value) == (
        f"{site.publish_to}: SSH authentication failed (load a key into ssh-agent or ~/.ssh/ for this user)"
    )
