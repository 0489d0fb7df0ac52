"""runplatform's server: uvicorn with the fast protocol implementations, forwarded headers trusted
only from the configured proxies, Django's logging kept. (The servers themselves are exercised by
every test that starts one: tests/servers.py.)"""
from django.test import override_settings

from monitoring.management.commands.runplatform import server_config


def test_server_uses_httptools_uvloop_and_sans_io_websockets():
    config = server_config("127.0.0.1", 8000)
    config.load()
    assert config.http_protocol_class.__name__ == "HttpToolsProtocol"
    assert config.ws_protocol_class.__name__ == "WebSocketsSansIOProtocol"
    assert config.loop == "uvloop"
    assert config.lifespan == "off" and config.log_config is None and not config.access_log


def test_forwarded_headers_are_trusted_from_the_configured_proxies_only():
    assert server_config("127.0.0.1", 8000).forwarded_allow_ips == ["127.0.0.1"]
    with override_settings(PLATFORM_FORWARDED_ALLOW_IPS=["10.0.0.0/8"]):
        assert server_config("0.0.0.0", 8000).forwarded_allow_ips == ["10.0.0.0/8"]
