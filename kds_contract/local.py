"""Where a server keeps its data, and the local token file the apps on the same host read."""

from __future__ import annotations

import json
import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "kds"
LOCAL_TOKENS_FILE = "local-tokens.json"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
DEFAULT_URL = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"


def default_data_dir() -> Path:
    """The data folder: ``KDS_DATA_DIR`` if set, else the user's data folder."""
    env = os.environ.get("KDS_DATA_DIR")
    return Path(env) if env else Path(user_data_dir(APP_NAME, appauthor=False))


def local_tokens_path(data_dir: Path | None = None) -> Path:
    """The file, readable only by the server's user, holding its first admin and kitchen tokens."""
    return (data_dir or default_data_dir()) / LOCAL_TOKENS_FILE


def read_local_tokens(data_dir: Path | None = None) -> dict[str, str]:
    """The local tokens by role (``{"admin": ..., "kitchen": ..., "url": ...}``), or {} if none."""
    path = local_tokens_path(data_dir)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
