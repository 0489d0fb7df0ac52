"""China's calendar for 2025–2027 from the ``holidays`` package, every year left unconfirmed.

Only exceptions are stored: weekday holidays, and weekend make-up workdays (调休上班), which the
package keeps in ``weekend_workdays`` rather than among its holidays. A weekend holiday is no
exception and is skipped. Years the State Council had not yet announced when the package was
released carry the package's estimate (statutory days plus its observed-day rule, no make-up
workdays): staff correct and confirm each year on the calendar page.
"""
import re

from django.db import migrations
from django.utils import timezone

YEARS = range(2025, 2028)
# The package names a substituted day off "休息日（由 2026-02-14 调休）": the date is the workday it pairs with.
SUBSTITUTED = re.compile(r"由 (\d{4}-\d{2}-\d{2}) 调休")


def seed(apps, schema_editor):
    import holidays

    CalendarDay = apps.get_model("trading", "CalendarDay")
    CalendarYear = apps.get_model("trading", "CalendarYear")
    calendar = holidays.country_holidays("CN", years=YEARS, language="zh_CN")
    stamp = {"source": "holidays", "updated_at": timezone.now(), "updated_by": f"holidays-{holidays.__version__}"}
    paired = {}
    for day, name in sorted(calendar.items()):
        if day.weekday() < 5:
            CalendarDay.objects.update_or_create(day=day, defaults={"is_working_day": False, "name": name, **stamp})
        if match := SUBSTITUTED.search(name):
            paired[match.group(1)] = day
    for day in sorted(d for d in calendar.weekend_workdays if d.year in YEARS):
        off = paired.get(day.isoformat())
        name = f"调休上班（{off.isoformat()} 休息）" if off else "调休上班"
        CalendarDay.objects.update_or_create(day=day, defaults={"is_working_day": True, "name": name, **stamp})
    for year in YEARS:
        CalendarYear.objects.get_or_create(year=year)


class Migration(migrations.Migration):
    dependencies = [("trading", "0004_seed_rules")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
