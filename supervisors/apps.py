from django.apps import AppConfig


class SupervisorsConfig(AppConfig):
    name = "supervisors"

    def ready(self):
        # Bidding stands below supervisors, so the opening, the evaluation and the live auction learn
        # from here what must hold before they start: a major lot's session waits for an official's check-in
        # (supervisors.sessions).
        from bidding import demo
        from bidding.evaluation.services import evaluation
        from bidding.sales.services import auctions
        from bidding.sealed.services import opening
        from supervisors.demo import demo_official_check_in
        from supervisors.sessions.services.officials import (auction_official_guard, evaluation_official_guard,
                                                             opening_official_guard)

        opening.start_guards_register(opening_official_guard)
        evaluation.start_guards_register(evaluation_official_guard)
        auctions.start_guards_register(auction_official_guard)
        demo.demo_before_session_register(demo_official_check_in)
