from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo tenants with reviewed data of their own; sits above every app it seeds."""

    name = "demo"
