"""Named atlases configured by the operator: a file path or a URL, validated and cached.

Configuration (the ``atlases`` and ``atlas_refresh_seconds`` keys of
``XBLOCK_SETTINGS["competency_xblock"]``, passed in as a plain mapping)::

    {"atlases": {"kommune": {"url": "https://intra.example/atlas.json",
                             "refresh_seconds": 300, "timeout": 10},
                 "test": {"path": "/srv/atlas/test.json"},
                 "short": "/srv/atlas/short.json"},
     "refresh_seconds": 300}

The shipped demo is always available as ``eksempel-kommune`` unless the operator reuses the
name.  Why "last good wins": a typo in the operator's file or a web server hiccup must not
take every course page with it.  A failed refresh keeps serving the previous atlas and
exposes the error (for staff); only when no version ever loaded is there no atlas.
URL sources are fetched with ``requests`` using ETag/Last-Modified; files are re-read when
their modification time or size changes.
"""
from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from competency_xblock.text import N_, UserFacingError

from .importers.json_import import import_data, parse_json
from .model import Atlas, AtlasValidationError

BUILTIN = {"eksempel-kommune": "eksempel-kommune.json"}
DEFAULT_REFRESH = 300.0
FILE_CHECK_SECONDS = 2.0
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
#: While no version has ever loaded, a failed source is retried this soon (not after the
#: full refresh interval), so a web server that was down at start-up is picked up quickly.
RETRY_SECONDS = 30.0


def _number(entry: Mapping[str, Any], key: str, default: float, where: str, *,
            minimum: float, integer: bool = False) -> float:
    """A numeric setting, or UserFacingError naming it (a typo must not break the page)."""
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or value != value or value < minimum or (integer and int(value) != value):
        raise UserFacingError(N_("The setting \"{key}\" must be a number of at least "
                                 "{minimum}."), path=where, key=key, minimum=minimum)
    return int(value) if integer else float(value)


@dataclass(frozen=True)
class SourceConfig:
    name: str
    path: str = ""
    url: str = ""
    builtin: str = ""
    refresh_seconds: float = DEFAULT_REFRESH
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES

    @property
    def origin(self) -> str:
        return self.url or self.path or f"builtin:{self.builtin}"


@dataclass(frozen=True)
class SourceState:
    """What a block needs: the atlas to use (maybe None) and the last error (for staff)."""

    name: str
    atlas: Atlas | None = None
    error: UserFacingError | None = None
    loaded_at: float = 0.0        # wall-clock time the current atlas was loaded
    checked_at: float = 0.0       # wall-clock time of the last check
    origin: str = ""

    @property
    def stale(self) -> bool:
        """True when an error occurred but an older atlas is still being served."""
        return self.atlas is not None and self.error is not None


def parse_settings(settings: Mapping[str, Any] | None) -> dict[str, SourceConfig]:
    """SourceConfigs from the operator's settings; invalid entries raise UserFacingError."""
    settings = settings or {}
    if not isinstance(settings, Mapping):
        raise UserFacingError(N_("The atlas settings must be a mapping."))
    default_refresh = _number(settings, "refresh_seconds", DEFAULT_REFRESH,
                              "XBLOCK_SETTINGS competency_xblock.atlas_refresh_seconds",
                              minimum=0)
    configs: dict[str, SourceConfig] = {
        name: SourceConfig(name, builtin=name, refresh_seconds=1e12) for name in BUILTIN}
    atlases = settings.get("atlases")
    atlases = {} if atlases is None else atlases
    if not isinstance(atlases, Mapping):
        raise UserFacingError(N_("The setting \"atlases\" must map names to sources."))
    for name, entry in atlases.items():
        where = f"XBLOCK_SETTINGS competency_xblock.atlases.{name}"
        if isinstance(entry, str):
            entry = {"url": entry} if entry.startswith(("http://", "https://")) \
                else {"path": entry}
        if not isinstance(entry, Mapping):
            raise UserFacingError(N_("An atlas source must be a path, a URL or a mapping."),
                                  path=where)
        url, path, builtin = (str(entry.get(k) or "") for k in ("url", "path", "builtin"))
        if sum(bool(v) for v in (url, path, builtin)) != 1:
            raise UserFacingError(N_("An atlas source needs exactly one of \"path\", \"url\" "
                                     "or \"builtin\"."), path=where)
        if url and not url.startswith(("http://", "https://")):
            raise UserFacingError(N_("An atlas URL must start with http:// or https://."),
                                  path=where)
        if builtin and builtin not in BUILTIN:
            raise UserFacingError(N_("Unknown built-in atlas \"{name}\"."), path=where,
                                  name=builtin)
        configs[str(name)] = SourceConfig(
            str(name), path=path, url=url, builtin=builtin,
            refresh_seconds=_number(entry, "refresh_seconds", default_refresh, where, minimum=0),
            timeout=_number(entry, "timeout", DEFAULT_TIMEOUT, where, minimum=0.1),
            max_bytes=_number(entry, "max_bytes", DEFAULT_MAX_BYTES, where, minimum=1,
                              integer=True))
    return configs


class AtlasSource:
    """One named atlas with its cache; safe to share between threads."""

    def __init__(self, config: SourceConfig, *, session: Any = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._session = session
        self._clock = clock
        self._lock = threading.Lock()
        self._state = SourceState(config.name, origin=config.origin)
        self._next_check = 0.0
        self._validators: dict[str, str] = {}   # ETag / Last-Modified of the current atlas
        self._file_key: tuple[int, int] | None = None
        self._digest = ""

    def get(self, *, force: bool = False) -> SourceState:
        """The current state, refreshed first when due.  Never raises."""
        if force or self._clock() >= self._next_check:
            blocking = force or self._state.atlas is None
            if self._lock.acquire(blocking=blocking):
                try:
                    if force or self._clock() >= self._next_check:
                        self._refresh()
                finally:
                    self._lock.release()
        return self._state

    # -------------------------------------------------------------------- refresh
    def _refresh(self) -> None:
        config = self.config
        interval = FILE_CHECK_SECONDS if config.path else config.refresh_seconds
        try:
            if config.builtin:
                raw = (resources.files("competency_xblock") / "data" / "atlas"
                       / BUILTIN[config.builtin]).read_bytes()
                self._accept(raw)
            elif config.path:
                self._refresh_file(Path(config.path))
            else:
                self._refresh_url(config.url)
        except UserFacingError as exc:
            self._state = replace(self._state, error=exc, checked_at=time.time())
        except Exception as exc:  # noqa: BLE001 - a source must never break the page
            self._state = replace(self._state, error=UserFacingError(
                N_("The atlas could not be loaded: {reason}."), path=config.origin,
                reason=type(exc).__name__), checked_at=time.time())
        if self._state.atlas is None:
            interval = min(interval, RETRY_SECONDS)
        self._next_check = self._clock() + interval

    def _refresh_file(self, path: Path) -> None:
        try:
            stat = path.stat()
        except OSError as exc:
            raise UserFacingError(N_("The atlas file cannot be read: {reason}."),
                                  path=str(path), reason=exc.strerror or str(exc)) from exc
        key = (stat.st_mtime_ns, stat.st_size)
        if key == self._file_key and self._state.atlas is not None:
            self._state = replace(self._state, checked_at=time.time())
            return
        if stat.st_size > self.config.max_bytes:
            raise UserFacingError(N_("The atlas file is larger than {limit} bytes."),
                                  path=str(path), limit=self.config.max_bytes)
        raw = path.read_bytes()
        self._file_key = key   # a broken file is not re-parsed until it changes
        self._accept(raw)

    def _refresh_url(self, url: str) -> None:
        import requests

        session = self._session or requests
        headers = {"Accept": "application/json"}
        if self._state.atlas is not None:
            if "etag" in self._validators:
                headers["If-None-Match"] = self._validators["etag"]
            if "last-modified" in self._validators:
                headers["If-Modified-Since"] = self._validators["last-modified"]
        try:
            response = session.get(url, headers=headers, timeout=self.config.timeout,
                                   stream=True, allow_redirects=True)
        except requests.RequestException as exc:
            raise UserFacingError(N_("The atlas could not be fetched: {reason}."), path=url,
                                  reason=type(exc).__name__) from exc
        try:
            if response.status_code == 304 and self._state.atlas is not None:
                self._state = replace(self._state, error=None, checked_at=time.time())
                return
            if response.status_code != 200:
                raise UserFacingError(N_("The atlas server answered HTTP {status}."), path=url,
                                      status=response.status_code)
            chunks, size = [], 0
            for chunk in response.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > self.config.max_bytes:
                    raise UserFacingError(N_("The atlas is larger than {limit} bytes."),
                                          path=url, limit=self.config.max_bytes)
                chunks.append(chunk)
            validators = {k.lower(): v for k, v in response.headers.items()
                          if k.lower() in ("etag", "last-modified")}
        finally:
            response.close()
        self._accept(b"".join(chunks))
        self._validators = validators

    def _accept(self, raw: bytes) -> None:
        """Parse and validate; replace the atlas only when everything is right."""
        digest = hashlib.sha256(raw).hexdigest()
        if digest == self._digest and self._state.atlas is not None:
            self._state = replace(self._state, error=None, checked_at=time.time())
            return
        data = parse_json(raw, self.config.origin)
        report = import_data(data, self.config.origin)
        if not report.ok:
            problems = report.problems()
            raise AtlasValidationError(problems, self.config.origin)
        now = time.time()
        self._digest = digest
        self._state = SourceState(self.config.name, report.atlas, None, now, now,
                                  self.config.origin)


class AtlasRegistry:
    """All named atlases of one configuration."""

    def __init__(self, settings: Mapping[str, Any] | None = None, *, session: Any = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.configs = parse_settings(settings)
        self.sources = {name: AtlasSource(cfg, session=session, clock=clock)
                        for name, cfg in self.configs.items()}

    def names(self) -> list[str]:
        return sorted(self.sources)

    def get(self, name: str, *, force: bool = False) -> SourceState:
        source = self.sources.get(name)
        if source is None:
            return SourceState(name, error=UserFacingError(
                N_("No atlas named \"{name}\" is configured."), name=str(name)[:100]))
        return source.get(force=force)


_REGISTRIES: dict[str, AtlasRegistry] = {}
_REGISTRY_LOCK = threading.Lock()


def registry_for(settings: Mapping[str, Any] | None) -> AtlasRegistry:
    """One shared registry per distinct configuration (so caches survive requests)."""
    key = json.dumps(settings or {}, sort_keys=True, default=str)
    with _REGISTRY_LOCK:
        registry = _REGISTRIES.get(key)
        if registry is None:
            registry = _REGISTRIES[key] = AtlasRegistry(settings)
        return registry


def load_inline(data: Any, name: str = "inline") -> Atlas:
    """An atlas stored in the block itself (strict: any problem raises)."""
    report = import_data(data, name)
    if not report.ok:
        problems = report.problems()
        raise AtlasValidationError(problems, name)
    return report.atlas
