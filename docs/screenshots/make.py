"""Screenshots for the README: the front page, and the page a feed's stylesheet makes of it.

    .venv/bin/python docs/screenshots/make.py      # needs Debian's chromium (apt-get install chromium)

Builds the shipped sample into a temporary folder, serves it with `pressfeed serve` on
127.0.0.1, and has headless Chromium photograph two pages into docs/screenshots/. Chromium
applies a feed's stylesheet only to feeds served as XML (`text/xml`), not as
`application/atom+xml` (what `serve` and the host snippets send, for readers): the feed's page
is therefore the stylesheet applied here (lxml), saved beside the feed and photographed.
"""

from __future__ import annotations

import dataclasses
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SHOTS = {"front-page.png": "motie/index.html", "feed-in-a-browser.png": "motie/all.atom.html"}


def main() -> None:
    from pressfeed.config import load_config
    from pressfeed.pipeline import build

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("needs chromium (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory() as scratch:
        config = load_config(ROOT / "config.yaml")
        config = dataclasses.replace(
            config, output_dir=Path(scratch) / "feeds", store_path=Path(scratch) / "pressfeed.db"
        )
        build(config)
        from lxml import etree

        transform = etree.XSLT(etree.parse(str(config.output_dir / "feed.xsl")))
        page = transform(etree.parse(str(config.output_dir / "all.atom.xml")))
        (config.output_dir / "all.atom.html").write_bytes(
            etree.tostring(page, method="html", encoding="utf-8")
        )
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = [
            sys.executable,
            "-m",
            "pressfeed",
            "serve",
            "--config",
            str(config.path),
            "--port",
            str(port),
        ]
        server = subprocess.Popen([*command, "--output", str(config.output_dir)], stdout=subprocess.DEVNULL)
        try:
            time.sleep(1.5)
            for name, path in SHOTS.items():
                subprocess.run(
                    [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                     "--window-size=1280,900", f"--screenshot={HERE / name}", f"http://127.0.0.1:{port}/{path}"],
                    check=True, capture_output=True,
                )  # fmt: skip
                print(f"wrote {HERE / name}")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
