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
import re

from lxml import etree
from xblock.core import XML_NAMESPACES
from xblock.fields import Dict, Scope

from competency_xblock.core import schemas
from competency_xblock.text import N_, UserFacingError

log = logging.getLogger(__name__)

AUTHORED_SCOPES = (Scope.content, Scope.settings)
SKIPPED_FIELDS = {"children", "parent", "content"}
#: Most characters of text and attributes one block's OLX element may hold (docs/limits.rst).
MAX_OLX_CHARS = 8 * 1024 * 1024


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
        return super().parse_xml(node, runtime, keys)


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
