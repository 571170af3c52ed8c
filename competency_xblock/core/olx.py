"""OLX import/export that round-trips authored content and never touches learner state.

XBlock's default export writes every *set* field whatever its scope, so a block exported from a
runtime that has learner state would leak it into the course export, and a crafted OLX file
could preset a learner's attempts.  Only ``content`` and ``settings`` fields cross OLX here.
Structured content (frameworks, banks, atlases) uses ``xml_node=True`` fields, which XBlock
writes as ``<option:name>`` child elements holding JSON.
"""
from __future__ import annotations

import json
import logging
import math
import re

import yaml
from lxml import etree
from xblock.core import XML_NAMESPACES
from xblock.fields import Boolean, Dict, Float, Integer, JSONField, List, Scope, String

from competency_xblock.core import schemas
from competency_xblock.text import N_, UserFacingError

log = logging.getLogger(__name__)

AUTHORED_SCOPES = (Scope.content, Scope.settings)
SKIPPED_FIELDS = {"children", "parent", "content"}
#: Most characters of text and attributes one block's OLX element may hold (docs/limits.rst).
MAX_OLX_CHARS = 8 * 1024 * 1024


#: Largest number any numeric setting may hold (a weight of 1e308 overflows the course grade).
MAX_SETTING_NUMBER = 1_000_000
#: Most characters of a one-line text setting (display name, atlas name).
MAX_SETTING_CHARS = 1000
LIST_EXPECTED = N_("{field}: enter a JSON list, for example [\"a\", \"b\"].")


#: Characters XML 1.0 cannot hold (U+FFFE, U+FFFF, surrogates) or that are invisible controls
#: (DEL and C1, often left by text pasted from old Windows programs): written as JSON \\u escapes.
NOT_FOR_OLX = re.compile("[\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class JsonDict(Dict):
    """A Dict field whose OLX text is JSON that keeps æøå and emoji readable (not \\u escapes).

    XBlock reads such fields with YAML, which refuses or silently changes some characters
    (U+0085 becomes a line break) and turns a JSON mistake into a parser trace; here OLX text
    is read as JSON and a mistake is reported with its line.  Characters XML cannot hold are
    written as JSON escapes, so every stored value exports and re-imports exactly.
    """

    def to_string(self, value):
        text = json.dumps(self.to_json(value), ensure_ascii=False, indent=2, sort_keys=True)
        return NOT_FOR_OLX.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)

    def from_string(self, serialized):
        if not (serialized or "").strip():
            return self.enforce_type({})
        try:
            value = schemas.loads(serialized)
        except UserFacingError as error:
            raise UserFacingError(N_("The <option:{field}> element is not usable: {problem}"),
                                  field=self.name, problem=error.render()) from None
        if not isinstance(value, dict):
            raise UserFacingError(N_("The <option:{field}> element must hold a JSON object "
                                     "({{...}})."), field=self.name)
        return self.enforce_type(value)


def is_authored(field) -> bool:
    return field.scope in AUTHORED_SCOPES


def _limits(block_or_class, name: str, field) -> tuple:
    """(min, max) for a numeric field: the block's ``field_limits``, else the field's
    ``values={"min": ..., "max": ...}``; either may be None."""
    limits = getattr(block_or_class, "field_limits", {}).get(name)
    if limits is not None:
        return limits
    values = field.values if isinstance(field.values, dict) else {}
    return values.get("min"), values.get("max")


def convert_setting(field, raw):
    """``raw`` (a JSON value from Studio) as the field's value; UserFacingError if it is not
    of the field's kind.  Stricter than XBlock's own ``from_json``: "yes" is no boolean,
    2.5 no whole number."""
    label = "{field}"
    if isinstance(field, Boolean):
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true"
        if not isinstance(raw, bool):
            raise UserFacingError(N_("{field}: choose true or false."), field=label)
        return raw
    if isinstance(field, Integer) and raw not in (None, ""):
        if isinstance(raw, str) and re.fullmatch(r"\s*[+-]?\d{1,15}\s*", raw):
            return int(raw)
        if isinstance(raw, bool) or not isinstance(raw, int | float) \
                or (isinstance(raw, float) and not (math.isfinite(raw) and raw.is_integer())):
            raise UserFacingError(N_("{field}: enter a whole number."), field=label)
        return int(raw)
    if isinstance(field, Float) and raw not in (None, ""):
        try:
            value = float(raw) if not isinstance(raw, bool) else math.nan
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value):
            raise UserFacingError(N_("{field}: enter a number, for example 80 or 80.5."),
                                  field=label)
        return value
    try:
        return field.from_json(raw)
    except (TypeError, ValueError):
        if isinstance(field, List):
            raise UserFacingError(LIST_EXPECTED, field=label) from None
        raise UserFacingError(N_("The value of {field} has the wrong type."),
                              field=label) from None


def setting_problem(block_or_class, name: str, field, value) -> UserFacingError | None:
    """What is wrong with ``value`` (already of the field's type) for field ``name``: outside
    its range, not one of its choices, too long.  The message's ``{field}`` is left for the
    caller (:func:`named`), so Studio can name the field's label and OLX the attribute."""
    label = "{field}"
    if value is None:
        return None
    if isinstance(field, Integer | Float) and not isinstance(value, bool):
        low, high = _limits(block_or_class, name, field)
        if isinstance(value, float) and not math.isfinite(value):
            return UserFacingError(N_("{field}: enter a number, for example 80 or 80.5."),
                                   field=label)
        if low is not None and high is not None and not low <= value <= high:
            return UserFacingError(N_("{field} must be between {min} and {max}."),
                                   field=label, min=low, max=high)
        if low is not None and value < low:
            if name == "weight" and low == 0:
                return UserFacingError(N_("The weight cannot be negative."))
            return UserFacingError(N_("{field} must be at least {min}."), field=label, min=low)
        if abs(value) > MAX_SETTING_NUMBER:
            return UserFacingError(N_("{field}: the number is too large (at most {limit})."),
                                   field=label, limit=MAX_SETTING_NUMBER)
    if isinstance(field, String) and field.scope == Scope.settings:
        choices = field.values if isinstance(field.values, list | tuple) else ()
        allowed = [c["value"] if isinstance(c, dict) else c for c in choices]
        if allowed and value not in allowed:
            return UserFacingError(N_("{field}: \"{value}\" is not one of the choices "
                                      "({choices})."), field=label, value=str(value)[:80],
                                   choices=", ".join(str(a) for a in allowed))
        if len(value) > MAX_SETTING_CHARS:
            return UserFacingError(N_("{field}: the text is too long (at most {limit} "
                                      "characters)."), field=label, limit=MAX_SETTING_CHARS)
    return None


def named(problem: UserFacingError, field_name: str, gettext=lambda s: s) -> str:
    """The problem's message with ``{field}`` filled in as ``field_name``."""
    params = {**problem.params}
    if params.get("field") == "{field}":
        params["field"] = field_name
    return UserFacingError(problem.message, problem.path, **params).render(gettext)


def _olx_value(field, text: str):
    """An OLX attribute's text as the field's value (XBlock reads attributes as YAML)."""
    if isinstance(field, Boolean):
        return convert_setting(field, text)
    if isinstance(field, Integer | Float):
        return convert_setting(field, text.strip())
    try:
        return field.from_string(text)
    except UserFacingError:
        raise
    except (TypeError, ValueError, yaml.YAMLError):
        if isinstance(field, List):
            raise UserFacingError(LIST_EXPECTED, field="{field}") from None
        if isinstance(field, Dict):
            raise UserFacingError(N_("{field}: this is not valid JSON. Check the brackets, "
                                     "commas and quotation marks."), field="{field}") from None
        raise UserFacingError(N_("The value of {field} has the wrong type."),
                              field="{field}") from None


class AuthoredOlxMixin:
    """Mix into a block class before ``XBlock``."""

    def add_xml_to_node(self, node):
        node.tag = self.xml_element_name()
        node.set("xblock-family", self.entry_point)
        for name, field in self.fields.items():
            if name in SKIPPED_FIELDS or not is_authored(field):
                continue
            if field.is_set_on(self) or field.force_export:
                self._add_field(node, name, field)

    #: Blocks with bigger authored documents may raise this (and document it).
    max_olx_chars = MAX_OLX_CHARS

    @classmethod
    def parse_xml(cls, node, runtime, keys):
        refuse_unsafe_olx(node, cls.max_olx_chars)
        for name in list(node.attrib):
            field = cls.fields.get(name)
            if field is not None and not is_authored(field):
                log.warning("Ignoring learner-state attribute %r in OLX for %s", name, cls.__name__)
                del node.attrib[name]
        for child in list(node):
            if child.tag is etree.Comment:
                continue
            qname = etree.QName(child)
            if qname.namespace == XML_NAMESPACES["option"]:
                field = cls.fields.get(qname.localname)
                if field is not None and not is_authored(field):
                    node.remove(child)
        tag = etree.QName(node).localname if isinstance(node.tag, str) else cls.__name__
        problems = []
        for name, text in node.attrib.items():
            field = cls.fields.get(name)
            if field is None or name in SKIPPED_FIELDS or not isinstance(field, JSONField):
                continue
            try:
                problem = setting_problem(cls, name, field, _olx_value(field, text))
            except UserFacingError as error:
                problem = error
            if problem is not None:
                problems.append(named(problem, name))
        if problems:
            raise OlxSettingsError(tag, problems)
        try:
            block = super().parse_xml(node, runtime, keys)
        except UserFacingError as error:
            raise OlxSettingsError(tag, [error.render()]) from None
        problems = [p if isinstance(p, str) else p.render() for p in block.olx_problems()]
        if problems:
            raise OlxSettingsError(tag, problems)
        return block

    def olx_problems(self) -> list:
        """Problems that depend on several settings or on the content (messages or
        :class:`UserFacingError`); an imported block with any is refused.  Override per block;
        field-by-field checks (:func:`setting_problem`) already ran on every attribute."""
        return []


class OlxSettingsError(UserFacingError):
    """An OLX element whose settings cannot be used: names the element and every problem."""

    def __init__(self, tag: str, problems: list[str]):
        self.tag, self.problems = tag, problems
        super().__init__(N_("The OLX element <{tag}> cannot be imported: {problems}"),
                         tag=tag, problems=" ".join(problems))


def refuse_unsafe_olx(node, limit: int = MAX_OLX_CHARS) -> None:
    """Refuse OLX with a document type declaration (entities: XXE, "billion laughs") or more
    text than ``limit``, whatever parser the runtime used, with a message an author can act on.
    """
    tag = etree.QName(node).localname if isinstance(node.tag, str) else "?"
    docinfo = node.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype \
            or docinfo.system_url or docinfo.public_id:
        raise UserFacingError(N_("The OLX contains a DOCTYPE or ENTITY declaration, which is not "
                                 "allowed."), path=f"<{tag}>")
    size = 0
    for element in node.iter():
        size += len(element.text or "") + len(element.tail or "")
        size += sum(len(key) + len(value) for key, value in element.attrib.items())
        if size > limit:
            raise UserFacingError(N_("The OLX of this block is too large (more than {limit} "
                                     "characters)."), path=f"<{tag}>", limit=limit)
