"""Demo data: realistic, deterministic SaaS product usage (persons and events) for one project."""

from ingestion.demo.generator import DemoSummary, generate_demo_data
from ingestion.demo.persons import DemoDataExists

__all__ = ["DemoDataExists", "DemoSummary", "generate_demo_data"]
