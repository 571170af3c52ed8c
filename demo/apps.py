"""The demo as a Django app: gives the workbench runtime the LMS's deadline fields on start
(``CX_DEMO_DEADLINES=0`` leaves the workbench as the sdk ships it: the benchmarks)."""
import os

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "competency_xblock demo"

    def ready(self) -> None:
        if os.environ.get("CX_DEMO_DEADLINES", "1") == "0":
            return
        from demo.deadlines import install

        install()
