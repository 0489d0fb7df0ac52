from django.urls import path

from trading.storage import views

urlpatterns = [
    path("<str:token>", views.object_get, name="storage-object"),
]
