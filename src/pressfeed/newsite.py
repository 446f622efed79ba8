"""`pressfeed init`: a new site folder, ready for a press office's own releases.

It holds a commented `config.yaml` (the values given, every other key at its default and said
so), an empty `input/` folder for the dump, and a `.gitignore` for the store and the output. The
id authority is written out, so that moving the site to another address later keeps every id.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from pressfeed.config import parse_config
from pressfeed.errors import ConfigError

CONFIG_TEMPLATE = """\
# pressfeed configuration: every key is explained in docs/configuration.md.
site:
  title: {title}
  subtitle: ""
  # Where the output folder is published. Links follow it: moving the site is changing this.
  base_url: {base_url}
  # Pinned: ids are tag: URIs under this name, and never change once published.
  id_authority: {id_authority}
  language: {language}
  # page_size: 25     # articles per listing page (front, categories, archive/)
  # The days in the dump are days in this zone.
  timezone: {timezone}
  author:
    name: {author}
    # email: press@example.org

# Dump files, newest releases first. A file in another encoding than UTF-8:
#   - {{path: input/releases.txt, encoding: cp949}}
inputs:
  - input/releases.txt

output:
  dir: feeds
  # prune: true     # remove files pressfeed published before and no longer produces

# The categories you publish, in menu order; other spellings of a name as aliases.
categories: []
#  - name: Industry
#    aliases: ["industry", "산업"]

limits:
  max_entries: 50
  summary_length: 280
  archive_page_size: 100

# truncation:
#   detect: true
#   complete_endings: ["(끝)", "###", "-30-"]

# publish:
#   to: sftp://www@press.example.org/srv/www/news    # or s3://bucket/prefix
"""

GITIGNORE = """\
# pressfeed: the store (back it up with `pressfeed backup`), its lock, and the output folder
pressfeed.db
pressfeed.db-*
pressfeed.db.lock
feeds/
.venv/
"""


def create(
    folder: Path, *, title: str, base_url: str, timezone: str, language: str, author: str
) -> list[Path]:
    """Write a new site into `folder` (created if need be); returns the files written.
    Refuses a folder that already holds a config.yaml; the values are validated first."""
    config = folder / "config.yaml"
    if config.exists():
        raise ConfigError(str(config), ["already exists; pressfeed init writes a new site only"])
    host = urlsplit(base_url).hostname or ""
    text = CONFIG_TEMPLATE.format(
        title=_quoted(title),
        base_url=_quoted(base_url.rstrip("/")),
        id_authority=_quoted(host),
        language=_quoted(language),
        timezone=_quoted(timezone),
        author=_quoted(author or title),
    )
    parse_config(yaml.safe_load(text), config)  # every fault at once, by key, before writing
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "input").mkdir(exist_ok=True)
    config.write_text(text, encoding="utf-8")
    written = [config, folder / "input"]
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text(GITIGNORE, encoding="utf-8")
        written.append(ignore)
    return written


def _quoted(value: str) -> str:
    """A YAML scalar that reads back as exactly `value` (JSON strings are YAML)."""
    return json.dumps(value, ensure_ascii=False)
