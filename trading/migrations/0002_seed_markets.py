from django.db import migrations

MARKETS = [
    ("construction", "建设工程", "Construction works", False, [
        ("open_tender", "公开招标", "Open tender"),
        ("invited_tender", "邀请招标", "Invited tender"),
    ]),
    ("procurement", "政府采购", "Government procurement", False, [
        ("open_tender", "公开招标", "Open tender"),
        ("invited_tender", "邀请招标", "Invited tender"),
        ("competitive_negotiation", "竞争性谈判", "Competitive negotiation"),
        ("inquiry", "询价", "Inquiry"),
        ("single_source", "单一来源", "Single source"),
    ]),
    ("property", "产权交易", "State-owned equity and assets", True, [
        ("listing_online_bidding", "挂牌+网络竞价", "Listing then online bidding"),
        ("descending_auction", "降价拍卖", "Descending auction"),
    ]),
    ("land", "土地使用权", "Land-use rights", True, [
        ("listing_timed_bidding", "挂牌+限时竞价", "Listing then timed bidding"),
        ("auction", "拍卖", "Auction"),
    ]),
    ("hr", "人力资源服务", "HR services", False, [
        ("inquiry", "询价", "Inquiry"),
        ("open_tender", "公开招标", "Open tender"),
    ]),
]


def seed(apps, schema_editor):
    Market = apps.get_model("trading", "Market")
    Procedure = apps.get_model("trading", "Procedure")
    for position, (code, zh, en, sells, procedures) in enumerate(MARKETS):
        market, _ = Market.objects.update_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "sells": sells, "position": position}
        )
        for p_code, p_zh, p_en in procedures:
            Procedure.objects.update_or_create(market=market, code=p_code, defaults={"name_zh": p_zh, "name_en": p_en})


class Migration(migrations.Migration):
    dependencies = [("trading", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
