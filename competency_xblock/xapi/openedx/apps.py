"""The Django app the LMS loads through the ``lms.djangoapp`` entry point."""
from __future__ import annotations

import logging

from django.apps import AppConfig

log = logging.getLogger(__name__)


class CompetencyXapiConfig(AppConfig):
    """Registers our xAPI transformers with event-routing-backends (when it is installed)."""

    name = "competency_xblock.xapi.openedx"
    label = "competency_xblock_xapi"
    verbose_name = "competency_xblock xAPI"
    plugin_app = {
        "settings_config": {
            "lms.djangoapp": {
                "common": {"relative_path": "settings.common"},
                "production": {"relative_path": "settings.production"},
            },
        },
    }

    def ready(self) -> None:
        from django.conf import settings

        from competency_xblock.xapi.openedx.settings.common import (
            OUR_EVENTS,
            add_to_whitelists,
        )

        try:
            # Imported here so Celery workers register the transformers too.
            from competency_xblock.xapi.openedx import transformers  # noqa: F401
        except ImportError:
            log.info("event-routing-backends is not installed: competency_xblock xAPI events "
                     "stay in the tracking log (use xapi_transport 'direct' for an LRS)")
            return
        # The whitelist of an already-built EVENT_TRACKING_BACKENDS (e.g. replaced wholesale
        # by production.py from ENV_TOKENS) may not list our names yet.
        add_to_whitelists(getattr(settings, "EVENT_TRACKING_BACKENDS", None), OUR_EVENTS)
