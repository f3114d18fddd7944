"""Simplified and Traditional Chinese, and Taiwan against Hong Kong vocabulary, with OpenCC.

Converting characters is not enough: Taiwan and Hong Kong write the same Traditional
characters for many words but choose different words (software is 軟體 in Taiwan, 軟件 in
Hong Kong). OpenCC's ``s2twp`` converts to Taiwan characters *and phrases*, ``s2hk`` to Hong
Kong characters (:func:`platform_intl.localization.convert_simplified`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .costs import convert_simplified

#: Everyday product words whose Taiwan and Hong Kong forms differ (and some that do not).
PRODUCT_WORDS = ("软件", "鼠标", "打印机", "信息", "视频", "网络", "出租车", "头发", "发展", "用户")


def variant_table(words: Iterable[str] = PRODUCT_WORDS) -> pd.DataFrame:
    """One row per Simplified word: its OpenCC Taiwan (``s2twp``) and Hong Kong (``s2hk``) forms,
    and whether the two agree."""
    rows = []
    for word in words:
        tw, hk = convert_simplified(word, "TW"), convert_simplified(word, "HK")
        rows.append({"simplified": word, "taiwan": tw, "hong_kong": hk, "same_in_both": "yes" if tw == hk else "no"})
    return pd.DataFrame(rows)
