from django.urls import path

from trading.accounts.views import companies as views

urlpatterns = [
    path("account/sign-up/", views.sign_up, name="company-sign-up"),
    path("account/sign-up/sent/", views.sign_up_sent, name="company-sign-up-sent"),
    path("account/verify-email/send/", views.verify_email_send, name="email-verify-send"),
    path("account/verify-email/<str:token>/", views.verify_email, name="email-verify"),
    path("account/company/", views.company_mine, name="company-mine"),
    path("account/company/change/", views.company_change, name="company-change"),
    path("account/company/resubmit/", views.company_resubmit_view, name="company-resubmit"),
    path("account/company/people/", views.company_user_add_view, name="company-user-add"),
    path("account/company/people/<id:user_id>/remove/", views.company_user_remove_view, name="company-user-remove"),
    path("account/company/reviews/<id:change_id>/licence/", views.company_licence, name="company-licence"),
    path("staff/companies/", views.company_reviews, name="company-reviews"),
    path("staff/companies/<id:change_id>/decide/", views.company_review_decide, name="company-review-decide"),
]
