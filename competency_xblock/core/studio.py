"""Studio editing with our handler convention: invalid content is explained and never saved.

``StudioEditableXBlockMixin.submit_studio_edits`` answers a malformed request with HTTP 500
(KeyError) and reports validation as a raw JSON dump; here the same form posts through
:func:`json_api`, every problem comes back as one readable list, and only course staff may save.
"""
from __future__ import annotations

from xblock.fields import JSONField
from xblock.utils.studio_editable import FutureFields, StudioEditableXBlockMixin
from xblock.validation import Validation

from competency_xblock.core.handlers import json_api
from competency_xblock.text import N_, UserFacingError


class ContentInvalidError(UserFacingError):
    """Several validation problems at once (all shown to the author)."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__(N_("The content was not saved: {problems}"), problems=" ".join(messages))


class StudioMixin(StudioEditableXBlockMixin):
    """Mix in before our block base; set ``editable_fields`` on the block class."""

    @json_api("studio-edits", max_bytes=4 * 1024 * 1024, staff_only=True)
    def submit_studio_edits(self, data, suffix=""):
        values, to_reset = {}, []
        for name in self.editable_fields:
            field = self.fields[name]
            if name in data.get("values", {}):
                if not isinstance(field, JSONField):
                    raise UserFacingError(N_("The field {field} cannot be edited here."),
                                          field=name)
                try:
                    values[name] = field.from_json(data["values"][name])
                except (TypeError, ValueError):
                    raise UserFacingError(N_("The value of {field} has the wrong type."),
                                          path=name, field=name) from None
            elif name in data.get("defaults", []) and field.is_set_on(self):
                to_reset.append(name)
        unknown = set(data.get("values", {})) - set(self.editable_fields)
        if unknown:
            raise UserFacingError(N_("These fields cannot be edited: {fields}."),
                                  fields=", ".join(sorted(unknown)))
        self.clean_studio_edits(values)
        validation = Validation(self.scope_ids.usage_id)
        self.validate_field_data(validation, FutureFields(values, to_reset, self))
        if not validation:
            raise ContentInvalidError([message.text for message in validation.messages])
        for name, value in values.items():
            setattr(self, name, value)
        for name in to_reset:
            self.fields[name].delete_from(self)
        return {"result": "success"}
