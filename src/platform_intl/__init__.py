"""Helpers for the Platform Internationalization course.

One module per concept; import the one you need (imports stay fast because nothing
heavy is loaded here):

- ``platform_intl.data``: load and cite the course datasets
- ``platform_intl.sizing``: market sizing (TAM, SAM, SOM), growth and sensitivity
- ``platform_intl.localization``: language prioritisation, moderation staffing,
  locale formatting and the machine-translation error taxonomy
- ``platform_intl.widgets``: the interactive explorers used in the lectures
- ``platform_intl.plots``: accessible figures with alt text, source captions and CJK fonts
- ``platform_intl.checks``: the checks that assignment test cells call
"""

__version__ = "0.1.0"
