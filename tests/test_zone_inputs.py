"""Tables of lon and lat handed to the zone engine that cannot be zoned: refused, saying why."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from containment import get_rule, plan_zones
from containment.engine.partition import plan_zones_partitioned

AS_OF = dt.date(2020, 5, 20)


def _table(lon):
    return pd.DataFrame(
        {
            "case_id": ["A", "B", "C"],
            "reported_on": pd.to_datetime(["2020-05-10"] * 3),
            "lon": lon,
            "lat": [23.84, 23.845, 23.70],
        }
    )


@pytest.mark.parametrize("shape", ["units", "circles"])
def test_a_case_without_a_longitude_is_refused_not_zoned_somewhere(dungarpur, shape):
    """A plain table's lon is NaN (pandas' missing value): one process made a containment
    zone for it in an arbitrary unit with the note 'just over the district's outline'
    (units), or stopped on 'cannot convert float NaN to integer' (circles)."""
    table = _table([73.71, np.nan, 73.90])
    with pytest.raises(ValueError, match="lon"):
        plan_zones(table, get_rule("karnataka-200m"), as_of=AS_OF, district=dungarpur, shape=shape)


def test_a_case_without_a_longitude_is_told_the_same_on_partitions(dungarpur):
    """The partitioned run stopped on 'IndexError: index 5 is out of bounds' (no nearest
    partition for a NaN point) where one process gave zones: the two must agree."""
    table = _table([73.71, np.nan, 73.90])
    with pytest.raises(ValueError, match="lon"):
        plan_zones_partitioned(
            table,
            get_rule("karnataka-200m"),
            as_of=AS_OF,
            district=dungarpur,
            partitions=dungarpur.blocks.geometry,
        )
