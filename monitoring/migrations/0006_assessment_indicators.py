"""The default indicator table of the staff assessment (docs/assessment.md): four indicators the
platform computes, one for each of 德、能、勤、绩 that the manager enters, and the veto (一票否决),
which carries no weight. The weighted ones add up to 100; staff managers change the weights later
on /assessment/ (each change an ``assessment.weights_changed`` event)."""
from django.db import migrations

# (code, name_zh, name_en, source, dimension, weight, veto)
INDICATORS = [
    ("on_time_rate", "办理时限按时率", "On-time rate of time-limited steps", "computed", "qin", "15.00", False),
    ("alerts", "经办项目电子监察预警", "Supervision alerts on the lots handled", "computed", "qin", "10.00", False),
    ("complaints_upheld", "经办项目投诉成立", "Complaints upheld on the lots handled", "computed", "ji", "10.00", False),
    ("satisfaction", "服务满意率（好差评）", "Satisfaction with the services rendered", "computed", "ji", "15.00",
     False),
    ("morality", "德：政治品质、职业道德、廉洁自律", "Integrity: political quality, professional ethics, clean conduct",
     "entered", "de", "15.00", False),
    ("ability", "能：业务能力、依法依规办事", "Ability: professional competence, working by the rules", "entered",
     "neng", "10.00", False),
    ("diligence", "勤：工作态度、出勤、责任心", "Diligence: attitude, attendance, sense of responsibility", "entered",
     "qin", "10.00", False),
    ("achievement", "绩：完成工作的数量、质量、效率", "Achievement: quantity, quality and efficiency of the work done",
     "entered", "ji", "15.00", False),
    ("veto_discipline", "一票否决：严重违纪违法（泄露保密信息、违规干预交易等）",
     "Veto: serious breach of discipline or law (leaking confidential information, meddling in a deal)",
     "entered", "de", "0.00", True),
]


def seed(apps, schema_editor):
    Indicator = apps.get_model("monitoring", "Indicator")
    for position, (code, zh, en, source, dimension, weight, veto) in enumerate(INDICATORS, start=1):
        Indicator.objects.update_or_create(code=code, defaults={
            "name_zh": zh, "name_en": en, "source": source, "dimension": dimension, "weight": weight, "veto": veto,
            "position": position, "updated_by": "system:migration"})


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0005_integrity_ratings_assessment_archive")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
