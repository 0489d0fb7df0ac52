from django.urls import path

from monitoring import views

urlpatterns = [
    path(".well-known/platform-key", views.platform_key, name="platform-key"),
]
