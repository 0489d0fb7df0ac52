from django.urls import include, path

from monitoring.portal import feeds, views

urlpatterns = [
    path("", views.home, name="home"),
    path("try/", include("monitoring.portal.urls_demo")),
    path("feeds/announcements.rss", feeds.AnnouncementsRss(), name="feed-rss"),
    path("feeds/announcements.atom", feeds.AnnouncementsAtom(), name="feed-atom"),
    path("feeds/<slug:market>/announcements.rss", feeds.AnnouncementsRss(), name="feed-market-rss"),
    path("feeds/<slug:market>/announcements.atom", feeds.AnnouncementsAtom(), name="feed-market-atom"),
]
