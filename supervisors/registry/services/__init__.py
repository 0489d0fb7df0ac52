"""Writes of the registry: the lifecycle (``lifecycle``), accountability (``accountability``), the
draws and recusals (``draws``), and the stored documents they keep (``documents``)."""
