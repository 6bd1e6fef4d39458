"""Collaborators of the import resources (defrel.resources): each small and named for its job."""
