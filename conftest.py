# Shared fixtures and the S3 endpoint of the session, for the tests of every app.
pytest_plugins = ["tests.fixtures", "tests.s3server"]
