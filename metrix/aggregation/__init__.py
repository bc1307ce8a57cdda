"""Aggregation metrics: mean, sum, max, min, cat, and running windows over them."""

from metrix.aggregation._aggregators import cat as cat
from metrix.aggregation._aggregators import max as max  # noqa: A004
from metrix.aggregation._aggregators import mean as mean
from metrix.aggregation._aggregators import min as min  # noqa: A004
from metrix.aggregation._aggregators import sum as sum  # noqa: A004
from metrix.aggregation._running import running_mean as running_mean
from metrix.aggregation._running import running_sum as running_sum
