"""TrendsQuery: counts and aggregates of events per time bucket, series, breakdown value and compare period."""
