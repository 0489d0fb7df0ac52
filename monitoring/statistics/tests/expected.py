"""The fixture's figures (conftest.py), worked out by hand: 2026 against 2025.

Construction 2026: C1a (ceiling 1,000 万, won at 850 万, 5 bidders, 40 days from publication to
award), C1b (600 万 → 540 万, 4 bidders, 31 days), both of the project 市民中心 (investment 5,000 万);
C2 failed (2 bidders). 2025: C3 (800 万 → 700 万, 6 bidders, 30 days; investment 3,000 万).
  lots 3, deals 2, failed 1 (1/3 = 33.33 %), projects 1, investment 5,000 万, budget 1,600 万,
  deal value 1,390 万, savings 210 万, savings rate 210/1600 = 13.125 % → 13.13 %,
  bidders (5+4+2)/3 = 3.67, cycle (40+31)/2 = 35.5 days.
  Changes: deals +100 %, deal value (1390−700)/700 = +98.57 %, savings (210−100)/100 = +110 %,
  savings rate 13.13 − 12.50 = +0.63 points, bidders (3.67−6)/6 = −38.83 %, cycle (35.5−30)/30 = +18.33 %.
Land 2026: L1 starting 10,000 万 → 12,440 万 (appraised 11,000 万), L2 5,000 万 → 6,200 万 (no
appraisal: the starting price), L3 unsold. 2025: L4 8,000 万 → 9,000 万.
  deal value 18,640 万; net increase 2,440 + 1,200 = 3,640 万; rate 3640/15000 = 24.27 %;
  appraised 16,000 万, appreciation 2,640 万, 16.50 %. Changes: deal value (18640−9000)/9000 =
  +107.11 %, increase (3640−1000)/1000 = +264 %, increase rate 24.27 − 12.50 = +11.77 points.
Equity 2026: E1 appraised 1,800 万 → 2,700 万, E2 1,000 万 → 1,200 万. 2025: E3 1,500 万 → 1,600 万.
  appraised 2,800 万, deal value 3,900 万, appreciation 1,100 万, rate 1100/2800 = 39.29 %.
  Changes: deal value (3900−1600)/1600 = +143.75 %, appreciation (1100−100)/100 = +1,000 %,
  rate 39.29 − 6.67 = +32.62 points.
Procurement 2026: P1 100 万 → 90 万 (nothing in 2025: no change). HR: 50 万 → 45 万 against
40 万 → 38 万 (+18.42 %).
Satisfaction (procurement's services): 2026 3 of 4 (one unrated counts as satisfied) = 75 %;
2025 1 of 2 = 50 %: +25 points.
All markets 2026: 10 lots, 8 deals, deal value 1,390 + 90 + 45 + 18,640 + 3,900 = 24,065 万;
2025: 4 deals, 700 + 38 + 9,000 + 1,600 = 11,338 万: +112.25 %.
"""
from decimal import Decimal as D

EXPECTED = {
    "construction": {
        "lots": 3, "deals": 2, "failed": 1, "failed_rate": D("0.3333"), "projects": 1,
        "investment": D("50000000"), "budget": D("16000000"), "deal_value": D("13900000"),
        "savings": D("2100000"), "savings_rate": D("0.1313"), "bidders_per_lot": D("3.67"),
        "cycle_days": D("35.5"), "increase": None, "appreciation": None,
    },
    "land": {
        "lots": 3, "deals": 2, "failed": 1, "deal_value": D("186400000"), "starting_value": D("150000000"),
        "increase": D("36400000"), "increase_rate": D("0.2427"), "appraised_value": D("160000000"),
        "appreciation": D("26400000"), "appreciation_rate": D("0.1650"), "savings": None, "budget": None,
        "bidders_per_lot": D("2.33"), "cycle_days": D("37.5"),
    },
    "property": {
        "lots": 2, "deals": 2, "failed": 0, "appraised_value": D("28000000"), "deal_value": D("39000000"),
        "appreciation": D("11000000"), "appreciation_rate": D("0.3929"), "starting_value": D("30000000"),
        "increase": D("9000000"), "bidders_per_lot": D("2.50"), "cycle_days": D("40.0"),
    },
    "procurement": {"deals": 1, "deal_value": D("900000"), "savings": D("100000"), "savings_rate": D("0.1000"),
                    "satisfaction": D("0.7500")},
    "hr": {"deals": 1, "deal_value": D("450000"), "savings": D("50000"), "cycle_days": D("28.0")},
    "": {"lots": 10, "deals": 8, "failed": 2, "deal_value": D("240650000"), "satisfaction": D("0.7500")},
}
PREVIOUS = {
    "construction": {"deals": 1, "deal_value": D("7000000"), "savings": D("1000000"), "savings_rate": D("0.1250"),
                     "bidders_per_lot": D("6.00"), "cycle_days": D("30.0"), "investment": D("30000000")},
    "land": {"deals": 1, "deal_value": D("90000000"), "increase": D("10000000"), "increase_rate": D("0.1250")},
    "property": {"deal_value": D("16000000"), "appreciation": D("1000000"), "appreciation_rate": D("0.0667")},
    "procurement": {"deals": 0, "deal_value": None, "satisfaction": D("0.5000")},
    "hr": {"deal_value": D("380000")},
    "": {"deals": 4, "deal_value": D("113380000"), "satisfaction": D("0.5000")},
}
CHANGE = {
    "construction": {"deals": D("1.0000"), "deal_value": D("0.9857"), "savings": D("1.1000"),
                     "savings_rate": D("0.0063"), "bidders_per_lot": D("-0.3883"), "cycle_days": D("0.1833"),
                     "investment": D("0.6667"), "failed_rate": D("0.3333")},
    "land": {"deal_value": D("1.0711"), "increase": D("2.6400"), "increase_rate": D("0.1177")},
    "property": {"deal_value": D("1.4375"), "appreciation": D("10.0000"), "appreciation_rate": D("0.3262")},
    "procurement": {"deal_value": None, "deals": None, "satisfaction": D("0.2500")},
    "hr": {"deal_value": D("0.1842")},
    "": {"deals": D("1.0000"), "deal_value": D("1.1225"), "satisfaction": D("0.2500")},
}
