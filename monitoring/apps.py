from importlib import import_module

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"

    def import_models(self):
        """The recorder's models, and those of the parts above the recorder (electronic supervision's
        alerts, integrity, ratings, assessment, the archive, the yearly report), whose models the
        recorder must not import (the leaf contract), so the app loads them here."""
        super().import_models()
        for part in ("supervision", "integrity", "ratings", "assessment", "archive", "statistics"):
            import_module(f"monitoring.{part}.models")

    def ready(self):
        # Bidding's demo learns from here what the observation parts add after it is loaded: the
        # demo's rated services (bidding may not import monitoring's parts).
        from bidding import demo
        from monitoring.ratings.demo import demo_ratings_give

        demo.demo_after_load_register(demo_ratings_give)
