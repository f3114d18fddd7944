"""Interactive explorers used in the lectures, built on ipywidgets.

- ``platform_intl.widgets.market``: the market funnel explorer (TAM, SAM, SOM)
- ``platform_intl.widgets.planner``: the language budget planner and the locale
  formatting playground
- ``platform_intl.widgets.lectures``: the small teaching widgets of lectures 01-05

Every explorer keeps its model apart from its view: ``update()`` recomputes from the
current control values and redraws, so it can be timed and tested without a browser.
"""
