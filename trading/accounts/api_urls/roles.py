from django.urls import path

from trading.accounts.apis import roles as apis

urlpatterns = [
    path("notifications/", apis.NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/<id:notification_id>/read/", apis.NotificationReadApi.as_view(), name="api-notification-read"),
    path("security/people/", apis.PeopleApi.as_view(), name="api-security-people"),
    path("security/people/<id:user_id>/roles/", apis.PersonRolesApi.as_view(), name="api-security-grant"),
    path("security/people/<id:user_id>/roles/<str:role>/revoke/", apis.PersonRoleRevokeApi.as_view(),
         name="api-security-revoke"),
    path("security/people/<id:user_id>/lock/", apis.PersonLockApi.as_view(), name="api-security-lock"),
    path("security/people/<id:user_id>/second-factor/reset/", apis.PersonSecondFactorResetApi.as_view(),
         name="api-security-second-factor-reset"),
    path("security/role-changes/", apis.RoleChangeListApi.as_view(), name="api-security-role-changes"),
    path("security/role-changes/<id:change_id>/decision/", apis.RoleChangeDecisionApi.as_view(),
         name="api-security-decision"),
]
