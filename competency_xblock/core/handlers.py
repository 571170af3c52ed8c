"""The one JSON handler convention for all three blocks.

Every handler that a browser calls goes through :func:`json_api`:

- POST only (GET where a handler is declared read-only), a bounded body, UTF-8 JSON;
- the payload validated against ``schemas/<schema>.schema.json`` before the block sees it;
- any :class:`~competency_xblock.text.UserFacingError` becomes HTTP 400 with a message in the
  learner's language, and *every* field change the handler made is discarded, so a rejected
  request never changes stored state;
- per learner and block, handlers that change state run one at a time and save before the
  lock is released, so two submits in flight cannot both see the old attempt count;
- changes to fields shared by all learners (``Scope.user_state_summary``) are queued with
  :func:`defer_shared_update` and saved with the learner's own changes under a block-wide
  lock, so learners submitting at the same moment never lose each other's entries;
- xAPI events the handler publishes (``publish_xapi``) are emitted only after it succeeded
  and saved; a rejected or failed request emits none.
"""
from __future__ import annotations

import copy
import functools
import hashlib
import json
import logging
import threading
import time
import uuid
import weakref
from contextlib import contextmanager

from webob import Response
from xblock.core import XBlock

from competency_xblock.core import schemas
from competency_xblock.text import N_, UserFacingError

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 64 * 1024


class ForbiddenError(UserFacingError):
    """The current user may not call this handler (HTTP 403)."""

    status = 403


#: One thread lock per (block, learner) while some request holds or waits for it; weakly held,
#: so a long-running LMS process does not keep a lock for every learner it ever served.
_locks: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_locks_guard = threading.Lock()
LOCK_WAIT_SECONDS = 10.0
LOCK_TTL_SECONDS = 30


def _django_cache():
    """The platform's shared cache (memcached/redis in the LMS), or None outside Django."""
    try:
        from django.conf import settings

        if not settings.configured:
            return None
        from django.core.cache import cache

        return cache
    except Exception:  # noqa: BLE001 - no Django here: the thread lock is all we need
        return None


@contextmanager
def _exclusive(key: tuple):
    """Hold the lock named ``key``: a thread lock in this process and, where Django is set
    up, an entry in the platform's shared cache (``cache.add`` is atomic in memcached and
    redis) for the other LMS worker processes."""
    with _locks_guard:
        thread_lock = _locks.get(key)
        if thread_lock is None:
            thread_lock = _locks[key] = threading.Lock()
    with thread_lock:
        cache = _django_cache()
        if cache is None:
            yield
            return
        cache_key = "competency_xblock:lock:" + hashlib.sha256(repr(key).encode()).hexdigest()
        token = uuid.uuid4().hex
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while not cache.add(cache_key, token, LOCK_TTL_SECONDS):
            if time.monotonic() > deadline:
                raise BusyError(N_("Another request for this block is still being processed. "
                                   "Please try again in a moment."))
            time.sleep(0.02)
        try:
            yield
        finally:
            if cache.get(cache_key) == token:
                cache.delete(cache_key)


@contextmanager
def learner_lock(block):
    """Serialise state-changing requests of one learner on one block."""
    with _exclusive((str(block.scope_ids.usage_id), str(block.scope_ids.user_id))):
        yield


@contextmanager
def shared_lock(block):
    """Serialise read-modify-write of one block's shared fields (``Scope.user_state_summary``)
    across all its learners.  Always taken after :func:`learner_lock`, never before it."""
    with _exclusive((str(block.scope_ids.usage_id), "shared")):
        yield


def defer_shared_update(block, field_name: str, change) -> None:
    """Queue ``change(stored value) -> new value (or None: no change)`` for a shared field.

    :func:`json_api` applies the queue when it saves the learner's own changes, under
    :func:`shared_lock`, to the value read afresh from storage, and saves it before releasing
    the lock, so learners submitting at the same moment never overwrite each other's entries
    and a rejected request changes no shared data.  ``change`` gets a new top-level dict
    (list) it may add entries to, replace or remove them from; it must not modify a stored
    entry in place (replace it), because the entries themselves are not copied: a shared
    field grows with every learner, and copying all of it on every submit was the largest
    cost of a submit in a big course.
    """
    block.__dict__.setdefault("_cx_shared_updates", []).append((field_name, change))


def save_with_shared_updates(block) -> None:
    """Save the learner's changes, then apply (and save) the updates queued by
    :func:`defer_shared_update`.

    The block-wide lock is taken before anything is saved: when it is busy for too long the
    request is refused (409) with nothing stored, rather than after the learner's own state
    was saved without the shared figures that belong to it.

    Each shared value is read once straight from the field data, given to ``change`` as a
    shallow copy and written straight back: going through the field descriptor and
    ``force_save_fields`` would add a ``has`` probe and two deep copies (dirty-tracking
    baselines) per submit.
    """
    updates = block.__dict__.pop("_cx_shared_updates", None)
    if not updates:
        block.save()
        return
    with shared_lock(block):
        block.save()
        values: dict[str, object] = {}
        changed: set[str] = set()
        for name, change in updates:
            if name not in values:
                # Read afresh, not the value cached earlier in this request: it may predate
                # another learner's update that was saved while we waited for the lock.
                values[name] = _read_stored(block, block.fields[name])
            new = change(_top_level_copy(values[name]))
            if new is not None and new != values[name]:
                values[name] = new
                changed.add(name)
        if changed:
            block._field_data.set_many(block, {  # noqa: SLF001 - what force_save_fields does
                name: block.fields[name].to_json(values[name]) for name in sorted(changed)})
        for name, value in values.items():
            # Later reads in this request see the saved value; nothing is left to save.
            block._field_data_cache[name] = value  # noqa: SLF001 - no public API for this
            block._dirty_fields.pop(block.fields[name], None)  # noqa: SLF001


def _read_stored(block, field):
    """The field's stored value (its default when none is stored), bypassing the cache."""
    try:
        return field.from_json(block._field_data.get(block, field.name))  # noqa: SLF001
    except KeyError:
        return field.default


def _top_level_copy(value):
    """A new dict or list holding the same entries (see :func:`defer_shared_update`)."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return copy.deepcopy(value)



def drop_shared_updates(block) -> None:
    block.__dict__.pop("_cx_shared_updates", None)


class BusyError(UserFacingError):
    """The learner's previous request on this block has not finished (HTTP 409)."""

    status = 409


def discard_unsaved_changes(block) -> None:
    """Forget every field value set or read-for-mutation since the last save."""
    cache = getattr(block, "_field_data_cache", {})
    for field in list(getattr(block, "_dirty_fields", {})):
        cache.pop(field.name, None)
    block._dirty_fields.clear()  # noqa: SLF001 - XBlock has no public API for this


def json_response(payload, status: int = 200) -> Response:
    try:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate got through: escape it rather than fail
        body = json.dumps(payload).encode("ascii")
    return Response(body=body, status=status, content_type="application/json", charset="utf-8")


def error_response(block, error: UserFacingError, status: int = 400) -> Response:
    message = error.render(block.translator.gettext)
    payload = {"error": message}
    if error.path:
        payload["path"] = error.path
    messages = getattr(error, "messages", None)
    if messages:
        payload["messages"] = [block.gettext(m) for m in messages]
    return json_response(payload, status=status)


def json_api(schema: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES,
             staff_only: bool = False, author_only: bool = False, read_only: bool = False):
    """Turn ``func(self, data, suffix) -> dict`` into an XBlock handler with our conventions.

    ``staff_only``: course staff (``block.is_staff()``), e.g. the staff views in the LMS.
    ``author_only``: whoever may edit the block's content (``block.can_author()``: write
    access in Studio, course staff elsewhere), for saving, importing and exporting it.
    Anyone else gets HTTP 403.
    """

    def decorator(func):
        @XBlock.handler
        @functools.wraps(func)
        def handler(self, request, suffix=""):
            allowed = ("GET", "POST") if read_only else ("POST",)
            if request.method not in allowed:
                message = self.gettext(N_("This request method is not allowed."))
                return json_response({"error": message}, status=405)
            try:
                if author_only:
                    if not self.can_author():
                        raise ForbiddenError(N_("Only course staff may do this."))
                elif staff_only and not self.is_staff():
                    raise ForbiddenError(N_("Only course staff may do this."))
                data = _parse_body(request, max_bytes)
                if schema is not None:
                    schemas.validate(schema, data)
                elif not isinstance(data, dict):   # (a schema says the same in its words)
                    raise UserFacingError(N_("The value has the wrong type (expected an "
                                             "object {{...}})."), path="/")
                _xapi(self, "xapi_begin")
                if read_only:
                    result = func(self, data, suffix)
                    _xapi(self, "xapi_flush")
                    return json_response(result)
                with learner_lock(self):
                    result = func(self, data, suffix)
                    save_with_shared_updates(self)
                    # xAPI events the handler published go out only now that it is saved.
                    _xapi(self, "xapi_flush")
                return json_response(result)
            except UserFacingError as error:
                _xapi(self, "xapi_flush", False)
                drop_shared_updates(self)
                discard_unsaved_changes(self)
                return error_response(self, error, status=getattr(error, "status", 400))
            except Exception:
                _xapi(self, "xapi_flush", False)
                drop_shared_updates(self)
                discard_unsaved_changes(self)
                log.exception("Handler %s failed on %s", func.__name__, self.scope_ids.usage_id)
                message = self.gettext(N_("Something went wrong on our side. Nothing was saved; "
                                          "please try again."))
                return json_response({"error": message}, status=500)

        handler.json_api_schema = schema
        # An author-only handler refuses learners too: it counts as staff-only.
        handler.staff_only = staff_only or author_only
        handler.author_only = author_only
        handler.max_bytes = max_bytes  # documented in docs/limits.rst (a test compares)
        return handler

    return decorator


def _xapi(block, method: str, *args) -> None:
    """Hold back / emit / drop the block's xAPI events (blocks without xAPI: nothing)."""
    hook = getattr(block, method, None)
    if hook is not None:
        hook(*args)


def _platform_body_limit(max_bytes: int) -> int:
    try:
        from django.conf import settings

        return min(max_bytes, int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or max_bytes))
    except Exception:  # noqa: BLE001 - no Django settings: our own limit is the one
        return max_bytes


def _parse_body(request, max_bytes: int):
    if request.method == "GET":
        return {}
    length = request.content_length
    if length is not None and length > max_bytes:
        raise UserFacingError(N_("The request is too large (more than {limit} bytes)."),
                              limit=max_bytes)
    try:
        body = request.body_file.read(max_bytes + 1) if length is None else request.body
    except Exception as error:  # noqa: BLE001 - Django's RequestDataTooBig, named below
        if type(error).__name__ != "RequestDataTooBig":
            raise
        # The platform's DATA_UPLOAD_MAX_MEMORY_SIZE is lower than this handler's limit.
        raise UserFacingError(N_("The request is too large (more than {limit} bytes)."),
                              limit=_platform_body_limit(max_bytes)) from None
    if len(body) > max_bytes:
        raise UserFacingError(N_("The request is too large (more than {limit} bytes)."),
                              limit=max_bytes)
    if not body.strip():
        return {}
    try:
        # Also refuses NaN/Infinity, lone surrogates ("\ud800": they could be neither stored,
        # rendered nor echoed in a UTF-8 reply) and absurdly deep nesting.
        return schemas.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, UserFacingError):
        raise UserFacingError(N_("The request could not be read (it is not valid JSON).")) from None
