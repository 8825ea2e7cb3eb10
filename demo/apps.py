from django.apps import AppConfig


class DemoConfig(AppConfig):
    # Sits on top of every other app: it builds a realistic district through
    # their models and services, and is never imported by them.
    name = "demo"
    verbose_name = "演示数据"
