"""Time windows shared by the fetch stage and the documents (each defined once here).

Every window is a number of calendar days in the athlete's timezone, counted back
from (and including) "today".
"""

EXTENDED_DAYS = 28  # lists are fetched for max(--days, 28) days; baselines use 28 days
HISTORY_DAYS = 1095  # three years of history: history.json and the yearly history fetch
