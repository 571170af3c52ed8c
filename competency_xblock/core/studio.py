"""Studio editing with our handler convention: invalid content is explained and never saved.

``StudioEditableXBlockMixin.submit_studio_edits`` answers a malformed request with HTTP 500
(KeyError) and reports validation as a raw JSON dump; here the same form posts through
:func:`json_api`, every problem comes back as one readable list, and only those who may edit
the course (Studio write access; course staff in the LMS) may save.
"""
from __future__ import annotations

import json

from web_fragments.fragment import Fragment
from xblock.fields import Boolean, Dict, Float, Integer, JSONField, List
from xblock.utils.studio_editable import FutureFields, StudioEditableXBlockMixin
from xblock.validation import Validation, ValidationMessage

from competency_xblock.core.handlers import json_api
from competency_xblock.core.olx import convert_setting, named, setting_problem
from competency_xblock.text import N_, UserFacingError

#: Our own Studio editor's texts (sent to ``studio.js`` through the init arguments).
STUDIO_TEXT = {
    "heading": N_("Settings: {title}"),
    "save": N_("Save"),
    "cancel": N_("Cancel"),
    "saving": N_("Saving…"),
    "saved": N_("Saved."),
    "cancelled": N_("Your changes were undone."),
    "not_saved": N_("The settings were not saved. Please correct the following:"),
    "invalid_json": N_("{field}: this is not valid JSON. Check the brackets, commas and "
                       "quotation marks."),
    "invalid_integer": N_("{field}: enter a whole number."),
    "invalid_number": N_("{field}: enter a number, for example 80 or 80.5."),
    "json_empty": N_("Leave the field empty to use the default content."),
    "error": N_("Something went wrong. Please try again."),
}


class ContentInvalidError(UserFacingError):
    """Several validation problems at once (all shown to the author)."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__(N_("The content was not saved: {problems}"), problems=" ".join(messages))


class StudioMixin(StudioEditableXBlockMixin):
    """Mix in before our block base; set ``editable_fields`` on the block class."""

    @json_api("studio-edits", max_bytes=4 * 1024 * 1024, author_only=True)
    def submit_studio_edits(self, data, suffix=""):
        values, to_reset, problems = {}, [], []
        unknown = set(data.get("values", {})) - set(self.editable_fields)
        if unknown:
            raise UserFacingError(N_("These fields cannot be edited: {fields}."),
                                  fields=", ".join(sorted(unknown)))
        for name in self.editable_fields:
            field = self.fields[name]
            if name in data.get("values", {}):
                if not isinstance(field, JSONField):
                    raise UserFacingError(N_("The field {field} cannot be edited here."),
                                          field=name)
                label = self.gettext(field.display_name or name)
                raw = data["values"][name]
                if name == "display_name" and isinstance(raw, str):
                    raw = raw.strip()
                    if not raw:  # spaces only: the default name, not an empty heading
                        if field.is_set_on(self):
                            to_reset.append(name)
                        continue
                try:
                    values[name] = convert_setting(field, raw)
                except UserFacingError as error:
                    problems.append(named(error, label, self.gettext))
                    continue
                problem = setting_problem(self, name, field, values[name])
                if problem is not None:
                    problems.append(named(problem, label, self.gettext))
            elif name in data.get("defaults", []) and field.is_set_on(self):
                to_reset.append(name)
        self.clean_studio_edits(values)
        validation = Validation(self.scope_ids.usage_id)
        # A value of the wrong kind is not in ``values``: the block checks the stored one.
        self.validate_field_data(validation, FutureFields(values, to_reset, self))
        problems += [m.text for m in validation.messages if m.text not in problems]
        if problems:
            raise ContentInvalidError(problems)
        for name, value in values.items():
            setattr(self, name, value)
        for name in to_reset:
            self.fields[name].delete_from(self)
        return {"result": "success"}

    def validate(self):
        """Studio's warnings on the block: its own checks and, for settings stored before
        these checks existed, every editable value that is out of range (learners get the
        default for such a value; see each block's docs page)."""
        validation = super().validate()
        known = {message.text for message in validation.messages}
        for name in self.editable_fields:
            field = self.fields[name]
            if not field.is_set_on(self):
                continue
            problem = setting_problem(self, name, field, getattr(self, name))
            if problem is not None:
                text = named(problem, self.gettext(field.display_name or name), self.gettext)
                if text not in known:
                    validation.add(ValidationMessage(ValidationMessage.ERROR, text))
        return validation

    # ---- our accessible editor (replaces StudioEditable's form and JavaScript) -------------
    def studio_view(self, context=None):
        """Every editable field as a labelled control; errors listed in a live region.

        Why our own: StudioEditable's form repeats ids when two blocks share a page, leaves
        its buttons untranslated and its JavaScript needs ``runtime.notify``, which the
        workbench lacks.  ``studio.js`` posts only the fields the author changed.
        """
        from competency_xblock.core.base import render_template

        text = self.ui_text(STUDIO_TEXT)
        fields = [self._studio_field(name) for name in self.editable_fields]
        html = render_template("studio_edit.html", {
            "dom_id": self.dom_id, "block": self, "text": text, "fields": fields,
            "heading": text["heading"].format(title=self.title()),
        })
        fragment = Fragment(html)
        for css in ("public/css/common.css", "public/css/studio.css"):
            fragment.add_css_url(self.runtime.local_resource_url(self, css))
        for js in ("public/js/common.js", "public/js/studio.js"):
            fragment.add_javascript_url(self.runtime.local_resource_url(self, js))
        fragment.initialize_js("CompetencyStudioEdit", {"text": text})
        return fragment

    def _studio_field(self, name: str) -> dict:
        field = self.fields[name]
        value = getattr(self, name)
        info = {"name": name, "id": f"{self.dom_id}-edit-{name}",
                "label": self.gettext(field.display_name or name),
                "help": self.gettext(field.help) if field.help else ""}
        if isinstance(field, Boolean):
            info.update(kind="boolean", checked=bool(value))
        elif isinstance(field.values, (list, tuple)) and field.values:
            options = []
            for option in field.values:
                option_value = option["value"] if isinstance(option, dict) else option
                label = option.get("display_name", option_value) if isinstance(option, dict) \
                    else option_value
                options.append({"json": json.dumps(option_value), "label": self.gettext(str(label)),
                                "selected": option_value == value})
            info.update(kind="select", options=options)
        elif isinstance(field, (Dict, List)):
            info.update(kind="json", empty="[]" if isinstance(field, List) else "{}",
                        value=json.dumps(value, ensure_ascii=False, indent=2) if value else "")
        elif isinstance(field, Integer):
            info.update(kind="integer", value="" if value is None else str(value))
        elif isinstance(field, Float):
            info.update(kind="float", value="" if value is None else _editable_number(
                value, self.language))
        else:
            shown = self.title() if name == "display_name" else value
            info.update(kind="text", value="" if shown is None else str(shown))
        return info


def _editable_number(value: float, language: str) -> str:
    """80.0 -> "80", 0.5 -> "0,5" in Danish: no thousands separator, so it reads back."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if language == "da" else text
