from django.urls import path

from trading.accounts.views import roles as views

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/notices/read/", views.notices_read, name="account-notices-read"),
    path("security/people/", views.people, name="security-people"),
    path("security/people/<id:user_id>/", views.person, name="security-person"),
    path("security/people/<id:user_id>/<str:action>/", views.person_act, name="security-person-act"),
    path("security/proposals/", views.proposals, name="security-proposals"),
    path("security/proposals/<id:change_id>/decide/", views.proposal_decide, name="security-proposal-decide"),
    path("security/history/", views.history, name="security-history"),
]
