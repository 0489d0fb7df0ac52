from django.urls import include, path

from trading import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("projects/", views.project_list, name="project-list"),
    path("objects/", include("trading.storage.urls")),
]
