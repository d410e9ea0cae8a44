"""Pseudonymisation: the originals of a project's pseudonym list found and replaced in every
text that leaves the project, with every coded position kept exact."""
