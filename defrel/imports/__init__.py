"""Import collaborators of defrel.resources.CuratedResource (see DESIGN.md)."""
