"""Pictures of the output documents: SVG charts and a self-contained dashboard.html.

Entry points: `render_pictures` (documents -> file name -> text) and
`pictures_to_write` (which of them differ from the files on disk).
"""

from .freshness import needs_rewrite, pictures_to_write
from .pictures import CHARTS, DASHBOARD, render_pictures

__all__ = ["CHARTS", "DASHBOARD", "needs_rewrite", "pictures_to_write", "render_pictures"]
