from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.template.response import TemplateResponse

from meetings import quality


@staff_member_required
def data_quality(request):
    found = quality.problems()
    return TemplateResponse(request, "admin/data_quality.html", {
        **admin.site.each_context(request),
        "title": None,
        "sections": [(quality.CHECKS[key], items) for key, items in found.items()],
        "total": sum(len(items) for items in found.values()),
    })
