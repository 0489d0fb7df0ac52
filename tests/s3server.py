"""The S3 endpoint of the test session (moto_server over HTTPS on a free loopback port)."""
