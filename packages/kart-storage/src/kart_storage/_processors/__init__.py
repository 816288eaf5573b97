"""File processors: how one object becomes the bytes of one file, and back."""
