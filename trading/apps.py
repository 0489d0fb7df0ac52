from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class TradingConfig(AppConfig):
    name = "trading"

    def ready(self):
        # The working-day calendar cached by trading.workdays reloads after any save or delete of its
        # rows, the admin's and the shell's too. Connected here, so the models need not import it.
        from trading import workdays
        from trading.models.calendar import CalendarDay, CalendarYear

        for model in (CalendarDay, CalendarYear):
            post_save.connect(workdays.calendar_changed, sender=model, dispatch_uid=f"workdays-save-{model.__name__}")
            post_delete.connect(workdays.calendar_changed, sender=model,
                                dispatch_uid=f"workdays-delete-{model.__name__}")
