from django.contrib import admin

from lifecycle.metrics.models import DailyTotal


@admin.register(DailyTotal)
class DailyTotalAdmin(admin.ModelAdmin):
    list_display = ["day", "customers", "mrr", "filled_at"]
    date_hierarchy = "day"
    readonly_fields = ["day", "customers", "mrr", "filled_at"]
