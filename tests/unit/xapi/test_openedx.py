"""The Open edX plugin, without the platform: settings, whitelists, transformer."""
from __future__ import annotations

import sys
import types
from types import SimpleNamespace

import pytest

from competency_xblock.xapi import statements as st
from competency_xblock.xapi.config import from_settings
from competency_xblock.xapi.events import to_payload
from competency_xblock.xapi.openedx.convert import statement_from_payload
from competency_xblock.xapi.openedx.settings import common, production
from tests.unit.xapi import samples

ERB_AGENT = {"objectType": "Agent",
             "account": {"homePage": samples.ROOT, "name": "32e08e30-f8ae-4ce2-94a8-c2bfe38a70cb"}}


def erb_backends(whitelist):
    return {"event_transformer": {"ENGINE": "eventtracking.backends.async_routing.X", "OPTIONS": {
        "processors": [{"ENGINE": common.WHITELIST_ENGINE, "OPTIONS": {"whitelist": whitelist}}],
        "backends": {"xapi": {"ENGINE": "event_routing_backends.backends.events_router.X",
                              "OPTIONS": {"processors": [{
                                  "ENGINE": "event_routing_backends.processors.xapi."
                                            "transformer_processor.XApiProcessor"}]}}}}},
            "tracking_logs": {"ENGINE": "track.backends.logger.LoggerBackend"}}


def test_our_event_names():
    assert common.OUR_EVENTS == [
        "competency_xblock.xapi.self_rated", "competency_xblock.xapi.quiz_answered",
        "competency_xblock.xapi.quiz_completed", "competency_xblock.xapi.atlas_searched",
        "competency_xblock.xapi.atlas_answered"]


def test_plugin_settings_without_erb_adds_names():
    settings = SimpleNamespace(EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS=["problem_check"])
    common.plugin_settings(settings)
    assert settings.EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS == ["problem_check",
                                                                    *common.OUR_EVENTS]
    common.plugin_settings(settings)  # idempotent
    assert len(settings.EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS) == 6


@pytest.mark.parametrize("whitelist", [{"problem_check"}, ["problem_check"]])
def test_whitelists_of_erb_backends_get_our_names(whitelist):
    backends = erb_backends(whitelist)
    assert common.add_to_whitelists(backends, common.OUR_EVENTS) == 1
    current = backends["event_transformer"]["OPTIONS"]["processors"][0]["OPTIONS"]["whitelist"]
    assert set(common.OUR_EVENTS) <= set(current) and "problem_check" in current
    assert common.add_to_whitelists(backends, common.OUR_EVENTS) == 0


def test_production_settings_repair_replaced_backends():
    settings = SimpleNamespace(EVENT_TRACKING_BACKENDS=erb_backends(["problem_check"]))
    production.plugin_settings(settings)
    processors = settings.EVENT_TRACKING_BACKENDS["event_transformer"]["OPTIONS"]["processors"]
    assert set(common.OUR_EVENTS) <= set(processors[0]["OPTIONS"]["whitelist"])


@pytest.mark.parametrize("factory", samples.FACTORIES, ids=lambda f: f.__name__)
def test_erb_statement_equals_direct_statement_but_for_the_actor(factory):
    event = factory()
    direct = st.build(event, from_settings(samples.settings())).statement
    payload = to_payload(event)
    payload["statement_id"] = direct["id"]
    erb = statement_from_payload(payload, ERB_AGENT, {}, samples.ROOT)
    assert erb["actor"] == ERB_AGENT
    assert {**erb, "actor": direct["actor"]} == direct


def test_transformer_registers_for_our_names(monkeypatch):
    registered = {}

    class Registry:
        @classmethod
        def register(cls, name):
            def deco(klass):
                registered[name] = klass
                return klass
            return deco

    class XApiTransformer:
        def __init__(self, event):
            self.event = event

        def get_actor(self):
            return SimpleNamespace(as_version=lambda version: ERB_AGENT)

    modules = {
        "event_routing_backends": types.ModuleType("event_routing_backends"),
        "event_routing_backends.processors": types.ModuleType("p"),
        "event_routing_backends.processors.xapi": types.ModuleType("x"),
        "event_routing_backends.processors.xapi.registry": SimpleNamespace(
            XApiTransformersRegistry=Registry),
        "event_routing_backends.processors.xapi.transformer": SimpleNamespace(
            XApiTransformer=XApiTransformer),
        "tincan": SimpleNamespace(Statement=lambda data: ("Statement", data)),
        "django.conf": SimpleNamespace(settings=SimpleNamespace(
            LMS_ROOT_URL=samples.ROOT,
            XBLOCK_SETTINGS={"competency_xblock": {"xapi_answer_verb": "evaluated"}})),
    }
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.delitem(sys.modules, "competency_xblock.xapi.openedx.transformers", raising=False)
    from competency_xblock.xapi.openedx import transformers

    assert sorted(registered) == sorted(common.OUR_EVENTS)
    event = samples.quiz_answered()
    kind, statement = transformers.CompetencyXapiTransformer(
        {"name": "competency_xblock.xapi.quiz_answered", "data": to_payload(event)}).transform()
    assert kind == "Statement"
    assert statement["actor"] == ERB_AGENT
    assert statement["verb"]["id"] == "https://w3id.org/xapi/acrossx/verbs/evaluated"
    monkeypatch.delitem(sys.modules, "competency_xblock.xapi.openedx.transformers")
