"""Workbenches: each role's page of what is theirs to do now, and the navigation by role (issue 19)."""
