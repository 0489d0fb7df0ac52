"""Websocket routes of the live rooms."""

websocket_urlpatterns = []
