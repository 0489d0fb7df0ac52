from django.apps import AppConfig


class SupervisorsConfig(AppConfig):
    name = "supervisors"

    def ready(self):
        # Bidding stands below supervisors, so the opening learns from here what must hold before it
        # starts: a major lot's opening waits for an official's check-in (supervisors.sessions).
        from bidding import demo
        from bidding.sealed.services import opening
        from supervisors.demo import demo_official_check_in
        from supervisors.sessions.services.officials import opening_official_guard

        opening.start_guards_register(opening_official_guard)
        demo.demo_before_opening_register(demo_official_check_in)
