"""Websocket routes of the live rooms (docs/rooms.md)."""
from django.urls import re_path

from monitoring.live.consumers import RoomConsumer

websocket_urlpatterns = [
    re_path(r"^ws/rooms/(?P<room>opening|auction)/(?P<key>[0-9]+)/$", RoomConsumer.as_asgi()),
    re_path(r"^ws/rooms/(?P<room>dashboard|alerts)/$", RoomConsumer.as_asgi()),
]
