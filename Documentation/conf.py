# SPDX-License-Identifier: GPL-2.0
# Sphinx configuration of wiascan's documentation:
#   sphinx-build -W -b html Documentation build/docs/html
project = "wiascan"
copyright = "The wiascan project"
root_doc = "index"
exclude_patterns = ["man", "examples"]
highlight_language = "none"
html_theme = "alabaster"
manpages_url = None
