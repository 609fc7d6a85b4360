"""Third-party browser code the pages use, served from the Python packages that ship it."""

from pathlib import Path

import plotly

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
