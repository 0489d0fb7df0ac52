"""The demo's pages under /try/ (``views_demo``): 404 where the demo is not loaded."""
from django.urls import path

from monitoring.portal import views_demo

urlpatterns = [
    path("", views_demo.try_page, name="demo-try"),
    path("bank/", views_demo.bank_page, name="demo-bank"),
]
