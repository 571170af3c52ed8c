"""Open edX transport: a Django app plugin that teaches event-routing-backends our events.

Installed through the ``lms.djangoapp`` entry point (``competency_xblock.xapi.openedx.apps:
CompetencyXapiConfig``).  Everything that imports the platform (event-routing-backends,
tincan, Django settings) is imported lazily, so the package installs and works without it.
"""
