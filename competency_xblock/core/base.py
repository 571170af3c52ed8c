"""What the three blocks share: settings, translation, rendering, identity, grades, events.

Block classes stay thin: they declare fields and handlers and call the pure domain packages.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from functools import lru_cache

from web_fragments.fragment import Fragment
from xblock.completable import CompletableXBlockMixin, XBlockCompletionMode
from xblock.core import XBlock
from xblock.fields import Scope, String
from xblock.utils.settings import XBlockWithSettingsMixin

from competency_xblock.core.formatting import format_date, format_number
from competency_xblock.core.i18n import BlockTranslator
from competency_xblock.core.resources import load_text
from competency_xblock.text import LocalizedText, pick_language
from competency_xblock.xapi import Event, Learner, emit

log = logging.getLogger(__name__)

SETTINGS_KEY = "competency_xblock"

#: Defaults for ``XBLOCK_SETTINGS["competency_xblock"]``; operators override any key.
DEFAULT_SETTINGS = {
    # Extra user ids treated as staff where the runtime cannot say (the workbench demo only).
    "workbench_staff_ids": [],
    # k for k-anonymity in every staff view and report (never lower than 5).
    "min_group_size": 5,
    # Named service atlases: {"name": {"path": "/srv/atlas.json"} or {"url": "https://..."}}.
    "atlases": {},
    # How often a named atlas source is checked for changes (seconds).
    "atlas_refresh_seconds": 300,
    # The atlas staff list shows only search terms at least this many learners typed.
    "atlas_candidates_min_learners": 1,
}


@lru_cache(maxsize=1)
def _template_engine():
    from django.template import Engine

    return Engine(debug=False, autoescape=True, libraries={}, builtins=[])


@lru_cache(maxsize=128)
def _compiled_template(path: str):
    return _template_engine().from_string(load_text(path))


def render_template(path: str, context: dict) -> str:
    """Render ``static/templates/<path>`` with autoescaping; templates hold no literal UI text."""
    from django.template import Context

    return _compiled_template(f"static/templates/{path}").render(Context(context, autoescape=True))


class _OnDemandText(Mapping):
    """A translated UI table (read only) that translates an entry on its first lookup;
    iterating or serialising it translates the rest, so it never looks incomplete."""

    def __init__(self, block, table: dict) -> None:
        self._block, self._table, self._done = block, table, {}

    def __getitem__(self, key):
        done = self._done
        if key not in done:
            message = self._table[key]
            if isinstance(message, tuple):
                done[key] = {"one": self._block.ngettext(message[0], message[1], 1),
                             "other": self._block.ngettext(message[0], message[1], 2)}
            else:
                done[key] = self._block.gettext(message)
        return done[key]

    def __iter__(self):
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


@XBlock.wants("settings", "user", "i18n", "studio_user_permissions")
class CompetencyBlockBase(CompletableXBlockMixin, XBlockWithSettingsMixin, XBlock):
    """Base for our blocks (mixed into each block class before ``XBlock``)."""

    block_settings_key = SETTINGS_KEY
    resources_dir = "static"
    public_dir = "public"
    #: CSS and JS files under ``static/public/`` and the JS init function; set per block.
    css_files: tuple[str, ...] = ("public/css/common.css",)
    js_files: tuple[str, ...] = ("public/js/common.js",)
    js_init: str | None = None

    display_name = String(
        display_name="Display name",
        help="The name learners see in the course navigation and as the block heading.",
        scope=Scope.settings,
        default="",
    )

    # ---- translation -------------------------------------------------------------------
    @property
    def translator(self) -> BlockTranslator:
        cached = getattr(self, "_translator", None)
        if cached is None:
            try:
                service = self.runtime.service(self, "i18n")
            except Exception:  # noqa: BLE001 - runtimes without the service: our catalogue
                service = None
            cached = BlockTranslator(service)
            self._translator = cached
        return cached

    def gettext(self, message: str) -> str:
        return self.translator.gettext(message)

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        return self.translator.ngettext(singular, plural, number)

    ugettext = gettext

    @property
    def language(self) -> str:
        return self.translator.language

    def localized(self, text: LocalizedText | None) -> str:
        """Authored text (str or {"en": ..., "da": ...}) in the learner's language."""
        return pick_language(text, self.language)

    def title(self) -> str:
        """The heading: the author's display name, or our translated default name."""
        field = self.fields["display_name"]
        name = (self.display_name or "").strip() if field.is_set_on(self) else ""
        if name:  # a name of spaces only is no name (it would give an empty heading)
            return name
        return self.gettext(field.default)

    def ui_text(self, table: dict) -> dict:
        """Translate a table of ``N_``-marked UI strings for templates and JavaScript.

        ``NP_`` pairs become ``{"one": ..., "other": ...}`` (JavaScript picks with
        ``CompetencyXBlock.plural``): both our languages have the plural rule ``n != 1``.
        """
        out = {}
        for key, message in table.items():
            if isinstance(message, tuple):
                out[key] = {"one": self.ngettext(message[0], message[1], 1),
                            "other": self.ngettext(message[0], message[1], 2)}
            else:
                out[key] = self.gettext(message)
        return out

    def ui_text_on_demand(self, table: dict) -> dict:
        """Like :meth:`ui_text`, but each string is translated when first looked up: for a
        handler's response, which uses a few of a table's many strings (a read-only mapping;
        ``dict(...)`` of it for JSON)."""
        return _OnDemandText(self, table)

    def plural(self, pair: tuple[str, str], count: int | float) -> str:
        """The translated form of an ``NP_`` pair for ``count`` (still to be ``format``-ed)."""
        number = int(count) if float(count).is_integer() else 2
        return self.ngettext(pair[0], pair[1], number)

    def format_date(self, value) -> str:
        """A stored date or ISO timestamp as the learner's language writes it."""
        return format_date(value, self.language)

    def format_number(self, value, max_decimals: int = 2) -> str:
        """A number with the learner's decimal mark (Danish: decimal comma)."""
        return format_number(value, self.language, max_decimals)

    # ---- field reads ---------------------------------------------------------------------
    def read_fields(self, *names: str) -> None:
        """Load fields a handler is about to read with ONE field-data read each.

        A field read through its descriptor asks the field data ``has`` and then ``get``: two
        storage round trips (two SQL statements in the workbench, whose store keeps a row per
        scope) for every field that is set.  This asks ``get`` alone - its ``KeyError`` means
        "not set", and the field's default is cached as the descriptor would cache it - and
        leaves the value in the block's field cache, where the descriptor then finds it (and
        tracks changes to it as usual).  Fields already read or changed are left alone; a
        field the store cannot read this way is left to the descriptor.
        """
        cache = self._field_data_cache  # noqa: SLF001 - the descriptor's own cache
        for name in names:
            if name in cache:
                continue
            field = self.fields[name]
            try:
                value = field.from_json(self._field_data.get(self, name))
            except KeyError:
                value = field._get_default_value_to_cache(self)  # noqa: SLF001
            except Exception:  # noqa: BLE001 - e.g. InvalidScopeError: the descriptor decides
                continue
            cache[name] = value

    def peek(self, name: str):
        """A field's value to read, never to change in place.

        Reading a ``Dict`` or ``List`` field through its descriptor deep-copies the value (the
        baseline for noticing in-place changes) and compares the two again on every save: for
        an authored setup or a bank of questions that is most of a request's own work.  Code
        that only reads (and replaces a value by assigning a new one) takes it from here.
        """
        cache = self._field_data_cache  # noqa: SLF001 - the descriptor's own cache
        if name not in cache:
            self.read_fields(name)
            if name not in cache:
                try:
                    return getattr(self, name)
                except TypeError:
                    # A stored value of another type than the field's (a list in a Dict
                    # field: written by hand or by another version), which the descriptor
                    # refuses on every read.  Given as stored, for the structure's own
                    # defensive reader to judge; assigning the field replaces it as usual.
                    return self._field_data.get(self, name)
        return cache[name]

    # ---- settings ----------------------------------------------------------------------
    def block_settings(self) -> dict:
        configured = {}
        try:
            configured = self.get_xblock_settings(default={}) or {}
        except Exception:  # noqa: BLE001 - no settings service in this runtime
            configured = {}
        merged = dict(DEFAULT_SETTINGS)
        merged.update(configured)
        return merged

    def setting(self, key: str, default=None):
        return self.block_settings().get(key, default)

    # ---- who is asking -----------------------------------------------------------------
    def _current_user(self):
        try:
            service = self.runtime.service(self, "user")
        except Exception:  # noqa: BLE001
            return None
        return service.get_current_user() if service else None

    def learner_id(self) -> str:
        """A stable, non-identifying id for the current learner (LMS anonymous id)."""
        user = self._current_user()
        attrs = getattr(user, "opt_attrs", {}) if user else {}
        return str(attrs.get("edx-platform.anonymous_user_id")
                   or attrs.get("xblock-workbench.user_id")
                   or self.scope_ids.user_id)

    def is_staff(self) -> bool:
        """Course staff in the LMS (the user service's staff flag); in the workbench the
        operator's ``workbench_staff_ids``.  Studio's user service never sets the flag: who
        may edit there is :meth:`can_author`."""
        user = self._current_user()
        attrs = getattr(user, "opt_attrs", {}) if user else {}
        if attrs.get("edx-platform.user_is_staff"):
            return True
        workbench_id = attrs.get("xblock-workbench.user_id")
        return workbench_id is not None and workbench_id in self.setting("workbench_staff_ids", [])

    def can_author(self) -> bool:
        """Whether the current user may change (or export) this block's authored content.

        In Studio, edx-platform installs a ``studio_user_permissions`` service next to a user
        service that says nobody is staff (``load_services_for_studio`` and the preview):
        there the answer is the user's write access to the block's course or library, as
        Studio itself decides it (``can_write``).  Elsewhere - the LMS, the workbench - it is
        :meth:`is_staff`.
        """
        try:
            permissions = self.runtime.service(self, "studio_user_permissions")
        except Exception:  # noqa: BLE001 - a runtime that refuses the name: not Studio
            permissions = None
        if permissions is None:
            return self.is_staff()
        key = self.context_key()
        if key is None:
            return False
        try:
            return bool(permissions.can_write(key))
        except Exception:  # noqa: BLE001 - no answer is no permission
            log.exception("Could not check Studio write access to %s", key)
            return False

    def context_key(self):
        """The course (or library) key of this block: the usage key's ``context_key``, or its
        ``course_key`` with older opaque-keys; None for a usage id without one (workbench)."""
        usage_id = self.scope_ids.usage_id
        for name in ("context_key", "course_key"):
            key = getattr(usage_id, name, None)
            if key is not None:
                return key
        return None

    # ---- rendering ---------------------------------------------------------------------
    @property
    def dom_id(self) -> str:
        """An id prefix unique per block on the page (several blocks of one kind per unit)."""
        raw = str(self.scope_ids.usage_id)
        return "cx-" + "".join(ch if ch.isalnum() else "-" for ch in raw)[-60:]

    def fragment(self, template: str, context: dict, js_args: dict | None = None) -> Fragment:
        """Fragment with our template, CSS and JS; ``js_args`` reach the JS init function."""
        context = {"dom_id": self.dom_id, "block": self, **context}
        frag = Fragment(render_template(template, context))
        for css in self.css_files:
            frag.add_css_url(self.runtime.local_resource_url(self, css))
        for js in self.js_files:
            frag.add_javascript_url(self.runtime.local_resource_url(self, js))
        if self.js_init:
            # The XBlock runtime's own wrapper writes json_init_args into a <script> element
            # without escaping "</" (xblock.runtime.Runtime.wrap_xblock, used by the workbench;
            # the LMS escapes it), so author text holding "</script><script>..." would run.
            # Our arguments travel in the block's HTML instead, as JSON with "<", ">" and "&"
            # escaped; CompetencyXBlockInit (common.js) reads them and calls ``js_init``.
            data = (json.dumps(js_args or {}).replace("<", "\\u003c")
                    .replace(">", "\\u003e").replace("&", "\\u0026"))
            frag.add_content(f'<script type="application/json" data-cx-init-args>{data}</script>')
            frag.initialize_js("CompetencyXBlockInit", {"init": self.js_init})
        return frag

    # ---- grades, completion, events ----------------------------------------------------
    completion_mode = XBlockCompletionMode.COMPLETABLE

    def publish_grade(self, earned: float, possible: float, only_if_higher: bool = False) -> None:
        self.runtime.publish(self, "grade", {
            "value": earned, "max_value": possible, "only_if_higher": only_if_higher,
        })

    def publish_completion(self, completion: float = 1.0) -> None:
        self.emit_completion(completion)

    def publish_event(self, name: str, data: dict) -> None:
        """A domain event for the tracking log (and, once enabled, the xAPI transports)."""
        payload = {"usage_key": str(self.scope_ids.usage_id), **data}
        self.runtime.publish(self, f"competency_xblock.{name}", payload)

    # ---- xAPI (docs/dev/xapi.md) -------------------------------------------------------
    def xapi_enabled(self) -> bool:
        """Whether the operator turned an xAPI transport on (else blocks build nothing)."""
        return str(self.setting("xapi_transport", "off") or "off").lower() != "off"

    def xapi_learner(self) -> Learner:
        """The acting learner: the anonymous id, plus only what the operator opted in to send
        (``xapi_actor`` username/email, ``xapi_actor_name``); nothing else is even read."""
        settings = self.block_settings()
        actor = settings.get("xapi_actor", "anonymous")
        with_name = bool(settings.get("xapi_actor_name"))
        anonymous_id = self.learner_id()
        if actor not in ("username", "email") and not with_name:
            return Learner(anonymous_id=anonymous_id)
        user = self._current_user()
        attrs = getattr(user, "opt_attrs", None) or {}
        emails = [e for e in (getattr(user, "emails", None) or []) if e]
        return Learner(
            anonymous_id=anonymous_id,
            username=(attrs.get("edx-platform.username") or None) if actor == "username" else None,
            email=emails[0] if actor == "email" and emails else None,
            full_name=(getattr(user, "full_name", None) or None) if with_name else None)

    def xapi_event(self, event_type: type[Event], **fields) -> Event:
        """An xAPI domain event with this block's common fields filled in (usage key, learner,
        language, title); ``occurred_at`` is now, when the thing happened."""
        fields.setdefault("usage_key", str(self.scope_ids.usage_id))
        if "learner" not in fields:
            fields["learner"] = self.xapi_learner()
        fields.setdefault("language", self.language)
        fields.setdefault("block_title", self.title())
        return event_type(**fields)

    def publish_xapi(self, events) -> None:
        """Hand xAPI events to the operator's transport; never raises, never waits on the LRS.

        ``events``: one event, an iterable of events, or a callable returning either.  A
        callable is only called when a transport is on, so building costs nothing when xAPI
        is off.  Inside a :func:`~competency_xblock.core.handlers.json_api` handler the events
        wait until the handler has succeeded and saved; a rejected request emits nothing.
        """
        try:
            if not self.xapi_enabled():
                return
            if callable(events):
                events = events()
            if events is None:
                return
            events = [events] if isinstance(events, Event) else list(events)
        except Exception:  # noqa: BLE001 - xAPI never fails a learner's request
            log.exception("xAPI: could not build the events of %s", self.scope_ids.usage_id)
            return
        pending = getattr(self, "_xapi_pending", None)
        if pending is not None:
            pending.extend(events)
        else:
            self._emit_xapi(events)

    def xapi_begin(self) -> None:
        """Start holding back xAPI events (json_api: until the handler has saved)."""
        self._xapi_pending = []

    def xapi_flush(self, emit_events: bool = True) -> None:
        """Emit the held-back events (or drop them: the request was rejected)."""
        events = getattr(self, "_xapi_pending", None)
        self._xapi_pending = None
        if events and emit_events:
            self._emit_xapi(events)

    def _emit_xapi(self, events: list[Event]) -> None:
        try:
            settings = self.block_settings()

            def publish(name: str, data: dict) -> None:
                self.runtime.publish(self, name, data)

            for event in events:
                emit(settings, event, publish=publish)  # logs, never raises
        except Exception:  # noqa: BLE001 - e.g. no settings service: log and carry on
            log.exception("xAPI: could not emit events of %s", self.scope_ids.usage_id)
