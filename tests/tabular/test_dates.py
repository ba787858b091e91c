"""UK dates: day first, ISO always accepted, impossible dates refused by name."""

from __future__ import annotations

import datetime as dt

import pytest

from sif_core.tabular import describe_format, format_date, parse_date


@pytest.mark.parametrize(
    "text",
    ["04/03/2015", "4/3/2015", "2015-03-04", "2015-03-04T00:00:00", "2015-03-04T00:00:00+01:00"],
)
def test_day_first_and_iso_forms_all_mean_the_fourth_of_march(text: str) -> None:
    assert parse_date(text) == dt.date(2015, 3, 4)


def test_thirty_first_of_february_is_not_a_real_date() -> None:
    with pytest.raises(ValueError, match="not a real date"):
        parse_date("31/02/2015")


def test_american_order_is_not_guessed() -> None:
    with pytest.raises(ValueError, match="not a real date"):
        parse_date("03/14/2015")


def test_unreadable_date_names_the_expected_form() -> None:
    with pytest.raises(ValueError, match=r"dd-Mon-yyyy"):
        parse_date("March 4th", ("%d-%b-%Y",))


def test_other_formats_read_and_write_back() -> None:
    assert parse_date("04-Mar-2015", ("%d-%b-%Y",)) == dt.date(2015, 3, 4)
    assert format_date(dt.date(2015, 3, 4), "%d-%b-%Y") == "04-Mar-2015"
    assert format_date(dt.date(2015, 3, 4)) == "04/03/2015"
    assert describe_format("%d/%m/%Y") == "dd/mm/yyyy"
