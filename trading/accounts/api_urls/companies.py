from django.urls import path

from trading.accounts.apis import companies as apis

urlpatterns = [
    path("companies/sign-up/", apis.CompanySignUpApi.as_view(), name="api-company-sign-up"),
    path("account/verify-email/", apis.EmailVerifyApi.as_view(), name="api-email-verify"),
    path("account/verify-email/send/", apis.EmailVerificationSendApi.as_view(), name="api-email-verify-send"),
    path("companies/mine/", apis.MyCompanyApi.as_view(), name="api-company-mine"),
    path("companies/mine/changes/", apis.CompanyChangeApi.as_view(), name="api-company-change"),
    path("companies/mine/resubmit/", apis.CompanyResubmitApi.as_view(), name="api-company-resubmit"),
    path("companies/mine/users/", apis.CompanyUsersApi.as_view(), name="api-company-users"),
    path("companies/mine/users/<id:user_id>/", apis.CompanyUserApi.as_view(), name="api-company-user"),
    path("companies/reviews/", apis.CompanyReviewListApi.as_view(), name="api-company-reviews"),
    path("companies/reviews/<id:change_id>/decision/", apis.CompanyReviewDecisionApi.as_view(),
         name="api-company-review-decision"),
]
