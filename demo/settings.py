"""Workbench settings for the demo and the runtime/browser tests.

Handles the sdk's known breakages in code, not by hand: a ``var/`` folder for the database, log
and file storage; the runtime logger routed to the console so grade and completion events are
visible; the sdk's sample blocks hidden; Danish and English via the Accept-Language header or
``?lang=da``; the LMS's deadline fields (``due``, ``graceperiod``, ``self_paced``) mixed into
every block, which the sdk's runtime does not do (``demo/deadlines.py``, installed by the
``demo`` app).
"""
import os

from workbench.settings import *  # noqa: F401,F403
from workbench.settings import INSTALLED_APPS, LOGGING, MIDDLEWARE

VAR = os.path.abspath(os.environ.get("WORKBENCH_VAR", "var"))
os.makedirs(VAR, exist_ok=True)

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("WORKBENCH_DB", os.path.join(VAR, "workbench.db")),
        "OPTIONS": {"timeout": 30},
    }
}
LOGGING["handlers"]["logfile"]["filename"] = os.path.join(VAR, "workbench.log")
LOGGING["handlers"]["console"] = {"class": "logging.StreamHandler", "level": "INFO"}
LOGGING["loggers"]["workbench.runtime"] = {"handlers": ["console"], "level": "INFO",
                                           "propagate": False}
DJFS = {"type": "osfs", "directory_root": os.path.join(VAR, "djpyfs"),
        "url_root": "/static/djpyfs"}

# Only our blocks on the index page.
EXCLUDED_XBLOCKS = {
    "allscopes_demo", "attempts_scoreboard_demo", "equality_demo", "filethumbs",
    "helloworld_demo", "html_demo", "problem_demo", "sidebar_demo", "slider_demo",
    "textinput_demo", "thumbs", "view_counter_demo",
}

# demo.apps.DemoConfig.ready() gives the workbench runtime the LMS's deadline fields.
INSTALLED_APPS = [*INSTALLED_APPS, "demo.apps.DemoConfig"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("da", "Dansk")]
USE_I18N = True
MIDDLEWARE = list(MIDDLEWARE)
_session = MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
MIDDLEWARE[_session + 1:_session + 1] = [
    "django.middleware.locale.LocaleMiddleware",
    "demo.middleware.LanguageFromQueryMiddleware",
]

XBLOCK_SETTINGS = {
    "competency_xblock": {
        # In the workbench, open any page with ?student=staff to see the staff views.
        "workbench_staff_ids": ["staff"],
    }
}

# `make demo` starts a local Ralph LRS in var/ralph; when it is there, the demo's statements go
# to it through the direct transport (outbox + sender).  Without it (the tests) xAPI stays off.
try:
    from scripts.ralph_lrs import xapi_settings_for
except ImportError:  # pragma: no cover - scripts/ is not importable outside the repo
    xapi_settings_for = None
if xapi_settings_for is not None and os.environ.get("CX_DEMO_XAPI", "1") == "1":
    XBLOCK_SETTINGS["competency_xblock"].update(xapi_settings_for(
        os.path.join(VAR, "ralph"), os.environ.get("CX_DEMO_LMS_ROOT_URL", "http://127.0.0.1:8000"),
        os.path.join(VAR, "xapi-outbox.sqlite3")))
