"""WPG supply-area types and likelihood grades per snapshot year (§§ 18, 19)."""
