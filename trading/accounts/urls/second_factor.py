from django.urls import path

from trading.accounts.views import second_factor as views

urlpatterns = [
    path("login/second-factor/", views.second_factor, name="login-second-factor"),
    path("login/second-factor/setup/", views.second_factor_setup, name="login-second-factor-setup"),
    path("demo/codes/", views.demo_codes, name="demo-codes"),
]
