"""Exporters of a question bank: CAPA OLX problems (``olx``) and GIFT (``gift``)."""
from competency_xblock.quiz_engine.exporters.gift import export_gift
from competency_xblock.quiz_engine.exporters.olx import export_olx, question_to_capa

__all__ = ["export_gift", "export_olx", "question_to_capa"]
