from importlib import import_module

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"

    def import_models(self):
        """The recorder's models, and electronic supervision's alerts: a part above the recorder,
        whose models the recorder must not import (the leaf contract), so the app loads them here."""
        super().import_models()
        import_module("monitoring.supervision.models")
