"""Celery entry points of trading (services mode): the after-commit send of a notice's delivery."""
from celery import shared_task

from trading.services.notifications import SEND_TASK, delivery_send


@shared_task(name=SEND_TASK, ignore_result=True)
def delivery_send_task(delivery_id: int) -> str:
    return delivery_send(delivery_id)
