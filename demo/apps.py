"""The demo as a Django app: gives the workbench runtime the LMS's deadline fields on start."""
from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "competency_xblock demo"

    def ready(self) -> None:
        from demo.deadlines import install

        install()
