"""The course datasets: provenance, schemas, no drift from CLDR, spot values, loaders."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from platform_intl import data

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "worldbank"

FACT_TABLES = {  # dataset -> column giving the period each row describes
    "platform_users": "period_end",
    "internet_use": "year",
    "chinese_diaspora": "period_end",
    "localization_economics": "period_end",
    "revenue": "period_end",
    "events": "date",
}


def _build_module():
    spec = importlib.util.spec_from_file_location("build_datasets", ROOT / "tools" / "build_datasets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build():
    return _build_module()


@pytest.fixture(scope="module")
def package() -> dict:
    return json.loads((DATASETS / "datapackage.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cldr_root() -> ET.Element:
    """The CLDR XML read directly at test time, independently of the build script."""
    import language_data

    path = Path(language_data.__file__).parent / "data" / "supplementalData.xml"
    return ET.parse(path).getroot()


def _raw(name: str) -> list[dict[str, str]]:
    with open(DATASETS / f"{name}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- package and schemas


def test_every_resource_is_a_file_and_every_csv_a_resource(package):
    resources = [r["path"] for r in package["resources"]]
    assert data.names() == [r["name"] for r in package["resources"]]
    assert sorted(resources) == sorted(p.name for p in DATASETS.glob("*.csv"))
    for resource in package["resources"]:
        with open(DATASETS / resource["path"], newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        assert header == [f["name"] for f in resource["schema"]["fields"]], resource["name"]


def test_datapackage_validates_with_frictionless():
    import frictionless

    report = frictionless.validate(DATASETS / "datapackage.json")
    problems = [f"{task.name}: {err.message}" for task in report.tasks for err in task.errors[:3]]
    problems += [err.message for err in report.errors]
    assert report.valid, "\n".join(problems[:20])


def test_frictionless_catches_a_broken_foreign_key_and_enum(tmp_path):
    """The validation above is live: a bad territory code and a bad metric are reported."""
    import frictionless

    copy = tmp_path / "datasets"
    shutil.copytree(DATASETS, copy)
    languages = (copy / "territory_languages.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    languages[1] = "QQ" + languages[1][2:]
    (copy / "territory_languages.csv").write_text("".join(languages), encoding="utf-8")
    users = (copy / "platform_users.csv").read_text(encoding="utf-8").replace(",MAU,", ",WAU,", 1)
    (copy / "platform_users.csv").write_text(users, encoding="utf-8")
    report = frictionless.validate(copy / "datapackage.json")
    types = {err.type for task in report.tasks for err in task.errors}
    assert not report.valid
    assert {"foreign-key", "constraint-error"} <= types


def test_package_records_licences_sources_and_cldr_version(package, build, cldr_root):
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["sources"]
    for resource in package["resources"]:
        assert resource.get("licenses"), resource["name"]
        assert resource.get("sources"), resource["name"]
        schema = resource["schema"]
        assert schema.get("primaryKey"), resource["name"]
        assert schema["missingValues"] == [""]
        for field in schema["fields"]:
            assert field.get("description"), (resource["name"], field["name"])
    by_name = {r["name"]: r for r in package["resources"]}
    for name in ("countries", "territory_languages"):
        assert "Unicode-3.0" in [lic["name"] for lic in by_name[name]["licenses"]]
        assert by_name[name]["schema"]["primaryKey"]
    assert by_name["territory_languages"]["schema"]["foreignKeys"][0]["reference"]["resource"] == "countries"
    version = build.cldr_version(cldr_root)
    assert version == package["cldr_version"] == data.cldr_version()
    assert f"CLDR {version}" in (DATASETS / "README.md").read_text(encoding="utf-8")


def test_numeric_fields_state_their_unit(package):
    units = (
        "persons",
        "percent",
        "fraction",
        "US dollars",
        "users",
        "calendar year",
        "people",
        "unit given by",
        "USD",
        "respondents",
    )
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            if field["type"] in ("number", "integer"):
                assert any(u in field["description"] for u in units), (resource["name"], field["name"])


# --------------------------------------------------------------------------- provenance


@pytest.mark.parametrize("name", sorted(FACT_TABLES))
def test_every_fact_row_has_a_source_and_a_period(name):
    frame = data.load(name)
    assert len(frame) > 0
    period = FACT_TABLES[name]
    assert frame[period].notna().all(), f"{name}: rows without {period}"
    assert frame["source_title"].str.strip().str.len().gt(0).all(), f"{name}: rows without source_title"
    assert frame["source_url"].str.match(r"^https?://[^ ]+$").all(), f"{name}: rows without a usable source_url"
    if "confidence" in frame:
        assert set(frame["confidence"].astype(str)) <= {"A", "B", "C"}


def test_countries_internet_figures_carry_year_and_source():
    countries = data.load("countries")
    has = countries["internet_pct"].notna()
    assert has.sum() >= 60
    for column in ("internet_year", "internet_source", "internet_source_url"):
        assert countries.loc[has, column].notna().all(), column
        assert countries.loc[~has, column].isna().all(), column


def test_flagged_rows_are_low_confidence_and_say_why():
    users = data.load("platform_users")
    flagged = users[users["note"].str.contains(r"\b(?:Derived|Unverified|Conflict)", case=False, na=False, regex=True)]
    assert len(flagged) >= 3
    assert (flagged.loc[flagged["note"].str.contains("Derived|Unverified"), "confidence"] == "C").all()
    lower_bounds = users[users["note"].str.contains("lower bound", na=False)]
    assert len(lower_bounds) >= 5


# --------------------------------------------------------------------------- no drift from CLDR


def test_build_reproduces_committed_cldr_tables(tmp_path, build):
    written = build.build(tmp_path)
    assert sorted(written) == sorted(build.OUTPUTS)
    for name in build.OUTPUTS:
        produced = (tmp_path / name).read_bytes()
        committed = (DATASETS / name).read_bytes()
        assert produced == committed, f"datasets/{name} drifted: run python tools/build_datasets.py"


def test_build_output_follows_its_inputs(tmp_path, build):
    """The drift test can fail: a changed internet figure changes countries.csv."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    text = (DATASETS / "internet_use.csv").read_text(encoding="utf-8").replace("MY,2023,97.7", "MY,2023,12.3")
    (inputs / "internet_use.csv").write_text(text, encoding="utf-8")
    rendered = build.render(datasets_dir=inputs)["countries.csv"]
    assert rendered.encode("utf-8") != (DATASETS / "countries.csv").read_bytes()
    assert ",12.3,2023," in next(line for line in rendered.splitlines() if line.startswith("MY,"))


# --------------------------------------------------------------------------- spot values


def test_weibo_figures_match_their_sources():
    assert data.figure("weibo", "MAU", "2018-09-30") == 446_000_000
    assert data.figure("weibo", "registered", "2012-12-31") == 503_000_000
    users = data.load("platform_users")
    mau = users[(users["platform"] == "weibo") & (users["metric"] == "MAU")].sort_values("period_end")
    first = mau.iloc[0]
    assert (first["period_end"], first["value"]) == (pd.Timestamp("2013-12-31"), 129_100_000)
    assert "epicos.com" in data.source_of("weibo", "MAU", "2018-09-30")


def test_rednote_inflow_is_a_daily_series_with_its_peak():
    users = data.load("platform_users")
    daily = users[(users["platform"] == "xiaohongshu") & (users["metric"] == "DAU") & (users["scope"] == "US")]
    series = daily.set_index(daily["period_end"].dt.strftime("%Y-%m-%d"))["value"]
    assert series.to_dict() == {
        "2025-01-06": 300_000,
        "2025-01-12": 700_000,
        "2025-01-13": 3_400_000,
        "2025-01-19": 32_500_000,
        "2025-01-20": 14_900_000,
    }
    assert series.idxmax() == "2025-01-19"  # the peak is the ban day, not the first day
    assert "first day" in daily.set_index(series.index).loc["2025-01-13", "note"]
    assert data.figure("tiktok", "MAU", "2025-01-16", scope="US") == 170_000_000
    assert data.figure("tiktok", "DAU", "2025-01-19", scope="US") == 107_000_000


def test_china_2018_internet_users_is_a_dated_count():
    internet = data.load("internet_use").set_index(["territory", "year"])
    row = internet.loc[("CN", 2018)]
    assert row["internet_users"] == 829_000_000 and row["internet_pct"] == 59.6
    assert pd.isna(row["indicator"]) and "CNNIC" in row["source_title"]
    assert internet["internet_users"].notna().sum() == 1  # only where a source gives a count
    countries = data.load("countries").set_index("territory")
    assert countries.loc["CN", "internet_year"] == 2023  # the latest ITU year still feeds countries


def test_yearly_series_and_required_platforms():
    users = data.load("platform_users")
    assert len(users) >= 100
    assert set(data.PLATFORMS) == set(users["platform"].astype(str))
    weibo_years = set(users.loc[(users["platform"] == "weibo") & (users["metric"] == "MAU"), "period_end"].dt.year)
    assert set(range(2013, 2026)) <= weibo_years
    facebook_years = set(
        users.loc[(users["platform"] == "facebook") & (users["metric"] == "MAU"), "period_end"].dt.year
    )
    assert set(range(2011, 2024)) <= facebook_years
    tiktok_scopes = set(users.loc[users["platform"] == "tiktok", "scope"].astype(str))
    assert {"global", "US"} <= tiktok_scopes


def test_reporting_breaks_are_recorded():
    users = data.load("platform_users")
    twitter = users[users["platform"] == "twitter"]
    last_mau = twitter[twitter["metric"] == "MAU"].query("period_end < '2020-01-01'").iloc[-1]
    assert "stopped publishing MAU after Q1 2019" in last_mau["note"]
    facebook_2023 = users[(users["platform"] == "facebook") & (users["period_end"] == "2023-12-31")]
    assert len(facebook_2023) == 2 and facebook_2023["note"].str.contains("Reporting break").all()
    assert users.loc[users["platform"] == "facebook", "period_end"].max() == pd.Timestamp("2023-12-31")
    x_era = twitter[twitter["period_end"] > "2022-10-27"]
    assert len(x_era) >= 5
    assert (x_era["confidence"] == "C").all()
    assert x_era["note"].str.contains("Unaudited|estimate").all()


def test_malaysia_population_equals_installed_cldr(cldr_root):
    territory = cldr_root.find("territoryInfo/territory[@type='MY']")
    countries = data.load("countries").set_index("territory")
    assert countries.loc["MY", "population"] == int(territory.get("population"))
    assert countries.loc["MY", "literacy_pct"] == float(territory.get("literacyPercent"))
    assert countries.loc["MY", "gdp_ppp_usd"] == float(territory.get("gdp"))
    malay = territory.find("languagePopulation[@type='ms']")
    languages = data.load("territory_languages").set_index(["territory", "language"])
    share = Decimal(malay.get("populationPercent")) / 100
    assert languages.loc[("MY", "ms"), "population_share"] == float(share)
    assert languages.loc[("MY", "ms"), "official_status"] == malay.get("officialStatus")
    assert languages.loc[("MY", "ms"), "speakers"] == round(int(territory.get("population")) * share)


def test_every_cldr_territory_and_language_is_present(cldr_root):
    territories = {t.get("type"): t for t in cldr_root.find("territoryInfo").findall("territory")}
    countries = data.load("countries")
    assert set(countries["territory"]) == set(territories) - {"ZZ"}
    languages = data.load("territory_languages")
    expected = {
        (code, lp.get("type").replace("_", "-"))
        for code, t in territories.items()
        for lp in t.findall("languagePopulation")
    }
    assert set(zip(languages["territory"], languages["language"])) == expected
    assert languages["language"].str.contains("_").sum() == 0
    named = languages.set_index(["territory", "language"])["language_name"]
    assert named[("HK", "yue")] == "Cantonese" and named[("TW", "zh-Hant")] == "Chinese (Traditional)"


def test_internet_caveats_taiwan_japan_india():
    countries = data.load("countries").set_index("territory")
    assert "Not ITU" in countries.loc["TW", "internet_note"]
    assert "ourworldindata" not in countries.loc["TW", "internet_source_url"]
    assert countries.loc["IN", "internet_year"] == 2020
    assert "Series break" in countries.loc["JP", "internet_note"]
    internet = data.load("internet_use")
    assert internet.loc[internet["territory"] == "TW", "indicator"].isna().all()
    japan = internet[internet["territory"] == "JP"].set_index("year")["internet_pct"]
    assert japan[2020] == 90.2 and japan[2022] == 84.9


def test_localization_prices_cover_the_course_languages():
    economics = data.load("localization_economics")
    prices = economics[economics["item"] == "translation_price_per_word"].set_index("language")
    required = ["en", "zh-Hans", "zh-Hant", "da", "de", "ja", "ko", "es", "fr", "pt-BR", "id", "ms", "th", "vi", "ar"]
    assert set(required) <= set(prices.index)
    assert (prices["unit"] == "USD_per_word").all()
    assumed = prices[prices["is_assumption"]]
    assert set(assumed.index) == {"en", "zh-Hant", "da", "ko", "id", "ms", "th"}
    assert assumed["source_title"].str.contains("assumption").all()
    assert (assumed["confidence"] == "C").all()
    assert not prices.loc[["zh-Hans", "ja", "de"], "is_assumption"].any()
    csa = economics.set_index("item")
    assert csa.loc["csa_b2c_2020_prefer_native_language", "value"] == 76
    assert csa.loc["csa_b2c_2020_respondents", "value"] == 8709


def test_diaspora_definitions_and_territories():
    diaspora = data.load("chinese_diaspora")
    assert set(diaspora["definition"].astype(str)) == {"ethnicity", "ancestry", "nationality", "estimate"}
    known = set(data.load("countries")["territory"]) | {"001"}
    assert set(diaspora["territory"]) <= known
    by = diaspora.set_index("territory")
    assert by.loc["MY", "value"] == 6_884_800 and by.loc["MY", "definition"] == "ethnicity"
    assert by.loc["JP", "definition"] == "nationality" and by.loc["AU", "definition"] == "ancestry"


def test_sources_table_describes_the_five_documents():
    sources = data.load("sources").set_index("id")
    assert list(sources.index) == ["S1", "S2", "S3", "S4", "S5"]
    assert sources.loc["S1", "kind"] == "content farm" and sources.loc["S1", "language"] == "da"
    assert sources.loc["S1", "original_language"] == "en" and "AFP" in sources.loc["S1", "lineage"]
    assert sources.loc["S2", "original_language"] == "fr"
    assert list(sources["kind"].astype(str)[["S3", "S4", "S5"]]) == ["course blog", "state media", "spun blog"]
    events = data.load("events")
    mentioned = {doc for cell in events["mentioned_in"].dropna() for doc in cell.split()}
    assert mentioned <= set(sources.index)


# --------------------------------------------------------------------------- missing is missing


def test_missing_values_are_na_not_zero():
    countries = data.load("countries")
    no_internet = countries[~countries["territory"].isin(data.load("internet_use")["territory"])]
    assert len(no_internet) > 100 and no_internet["internet_pct"].isna().all()
    for column in ("population", "gdp_ppp_usd", "literacy_pct"):
        assert (countries[column].dropna() > 0).all(), column
    languages = data.load("territory_languages").set_index(["territory", "language"])
    assert pd.isna(languages.loc[("CN", "lzh"), "population_share"])  # CLDR lists it with 0
    assert pd.isna(languages.loc[("CN", "lzh"), "speakers"])
    assert languages.loc[("CN", "zh"), "official_status"] == "official"
    assert languages["official_status"].isna().sum() > 0
    assert countries.set_index("territory").loc["NA", "name"] == "Namibia"  # not read as missing
    for name in ("countries", "territory_languages"):
        for row in _raw(name):
            for column in ("population", "gdp_ppp_usd", "literacy_pct", "internet_pct", "population_share", "speakers"):
                assert row.get(column) not in ("0", "0.0"), (name, row)


def test_types_are_set():
    users = data.load("platform_users")
    assert pd.api.types.is_datetime64_any_dtype(users["period_end"])
    for column in ("platform", "metric", "confidence", "scope", "unit"):
        assert isinstance(users[column].dtype, pd.CategoricalDtype), column
    assert list(users["scope"].cat.categories)[0] == "global"
    assert users["value"].dtype == "float64"
    countries = data.load("countries")
    assert countries["population"].dtype == "Int64" and countries["internet_year"].dtype == "Int64"
    assert data.load("localization_economics")["is_assumption"].dtype == "boolean"
    assert pd.api.types.is_datetime64_any_dtype(data.load("events")["date"])


# --------------------------------------------------------------------------- loader API


def test_unknown_name_lists_the_valid_names():
    with pytest.raises(ValueError) as info:
        data.load("platform_user")
    message = str(info.value)
    assert all(name in message for name in data.names())
    assert "platform_users" in message.split("Valid names")[0]  # the suggestion
    with pytest.raises(KeyError):
        data.load("nope")


def test_load_returns_copies():
    first = data.load("platform_users")
    first.loc[:, "value"] = 0.0
    first.attrs["dataset"] = "changed"
    again = data.load("platform_users")
    assert again["value"].gt(0).all() and again.attrs["dataset"] == "platform_users"
    assert data.load("platform_users.csv").shape == again.shape


def test_every_platform_figure_is_addressable():
    users = data.load("platform_users")
    for row in users.itertuples():
        assert data.figure(row.platform, row.metric, row.period_end, row.scope) == row.value


def test_figure_errors_list_what_exists():
    with pytest.raises(LookupError, match="Available periods: .*2018-09-30"):
        data.figure("weibo", "MAU", "2018-10-31")
    with pytest.raises(LookupError, match="Its metrics: DAU, MAU"):
        data.figure("Weibo", "WAU", "2018")
    with pytest.raises(LookupError, match="Platform ids: weibo, twitter"):
        data.figure("myspace", "MAU", "2008")
    with pytest.raises(LookupError, match="It exists for scope US"):
        data.figure("tiktok", "MAU", "2023-03-21")
    with pytest.raises(LookupError, match="give the full date"):
        data.figure("weibo", "MAU", "2019")
    assert data.figure("RedNote", "mau", "2023") == 300_000_000
    assert data.figure("tiktok", "MAU", pd.Timestamp("2023-03-21"), scope="us") == 150_000_000


def test_cite_a_table_a_filtered_frame_and_a_row():
    users = data.load("platform_users")
    table = data.cite("platform_users")
    pairs = users[["source_title", "source_url"]].drop_duplicates()
    assert table.count("<http") == len(pairs) >= users["source_url"].nunique()
    subset = users[users["platform"] == "xiaohongshu"]
    citation = data.cite(subset, style="markdown")
    assert str(citation).startswith("Sources (4): [")
    assert set(re.findall(r"\((https?://[^)]+)\)", citation)) == set(subset["source_url"])
    assert "<https://" in data.cite(subset).text
    # In a notebook a long citation is a folded list, one source a line, every link kept.
    listed = citation._repr_markdown_()
    assert listed.startswith("<details><summary>Sources (4)") and listed.count("\n- [") == 4
    assert set(re.findall(r"\((https?://[^)]+)\)", listed)) == set(subset["source_url"])
    assert data.cite(users.iloc[0])._repr_markdown_() == data.cite(users.iloc[0]).markdown
    assert data.cite(users.iloc[0]).startswith("Source: ")
    assert "\n" not in table
    countries = data.load("countries")
    taiwan = data.cite(countries[countries["territory"] == "TW"])
    assert "CLDR 47" in taiwan and "tvbs" in taiwan and "ourworldindata" not in taiwan
    assert "CLDR 47" in data.cite("territory_languages") and "Unicode-3.0" in data.cite("territory_languages")
    sized = countries[["territory", "population"]]
    assert "CLDR 47" in data.cite(sized)  # falls back to the dataset's own sources
    with pytest.raises(ValueError, match="cite the dataset by name"):
        data.cite(pd.DataFrame({"x": [1]}))


def test_platform_and_metric_vocabulary_is_documented(package):
    readme = (DATASETS / "README.md").read_text(encoding="utf-8")
    users_schema = next(r for r in package["resources"] if r["name"] == "platform_users")["schema"]
    enums = {f["name"]: f["constraints"].get("enum") for f in users_schema["fields"] if "constraints" in f}
    assert enums["metric"] == list(data.METRICS)
    assert enums["platform"] == list(data.PLATFORMS)
    for metric in data.METRICS:
        assert f"`{metric}`" in readme, metric
    for platform in data.PLATFORMS.values():
        assert f"`{platform.id}`" in readme and platform.name in readme, platform.id
    for chinese in ("微博", "小红书", "抖音", "微信"):
        assert chinese in readme


# --------------------------------------------------------------------------- World Bank refresh


def _recorded_fetch(urls: list[str]):
    def fetch(url: str) -> bytes:
        urls.append(url)
        assert url.startswith("https://api.worldbank.org/v2/country/CN;IN;JP;MY;US/indicator/IT.NET.USER.ZS?")
        assert "date=2020:2024" in url and "per_page=15" in url
        page = re.search(r"[?&]page=(\d+)", url).group(1)
        return (FIXTURES / f"it_net_user_zs_page{page}.json").read_bytes()

    return fetch


def test_refresh_internet_penetration_from_recorded_response():
    urls: list[str] = []
    fresh = data.refresh_internet_penetration(
        ["us", "MY", "CN", "JP", "IN"], years=(2020, 2024), fetch=_recorded_fetch(urls), per_page=15
    )
    assert len(urls) == 2  # both pages were read
    assert list(fresh.columns) == list(data.load("internet_use").columns)
    latest = fresh.set_index("territory")
    assert list(latest.index) == ["CN", "IN", "JP", "MY", "US"]
    assert latest.loc["CN", "year"] == 2023 and latest.loc["CN", "internet_pct"] == pytest.approx(77.4827)
    assert latest.loc["IN", "year"] == 2020 and latest.loc["JP", "year"] == 2022
    assert "last updated 2025-01-24" in latest.loc["US", "source_title"]
    committed = data.load("internet_use").set_index(["territory", "year"])["internet_pct"]
    for territory, row in latest.iterrows():
        assert round(row["internet_pct"], 1) == committed[(territory, row["year"])]
    every_year = data.refresh_internet_penetration(
        ["CN", "IN", "JP", "MY", "US"], years=(2020, 2024), fetch=_recorded_fetch([]), per_page=15, latest_only=False
    )
    assert len(every_year) == 9 and every_year["internet_pct"].notna().all()


def test_refresh_reports_api_errors():
    payload = (FIXTURES / "error_invalid_value.json").read_bytes()
    with pytest.raises(RuntimeError, match="Invalid value"):
        data.refresh_internet_penetration(["CN"], fetch=lambda url: payload)


# --------------------------------------------------------------------------- import cost and layout


def _python(code: str, **env: str) -> str:
    environment = {**os.environ, **env}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_imports_stay_light():
    out = _python(
        "import sys, platform_intl; a = 'pandas' in sys.modules; "
        "import platform_intl.data; print(a, 'frictionless' in sys.modules)"
    )
    assert out == "False False"


def test_datasets_dir_can_be_overridden(tmp_path):
    copy = tmp_path / "student" / "datasets"
    shutil.copytree(DATASETS, copy)
    text = (
        (copy / "platform_users.csv")
        .read_text(encoding="utf-8")
        .replace("weibo,MAU,446000000,", "weibo,MAU,123000000,")
    )
    (copy / "platform_users.csv").write_text(text, encoding="utf-8")
    out = _python(
        "from platform_intl import data; print(data.DATASETS_DIR, data.figure('weibo','MAU','2018-09-30'))",
        PLATFORM_INTL_DATASETS=str(copy),
    )
    assert out == f"{copy.resolve()} 123000000.0"
