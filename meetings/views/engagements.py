"""The engagements list with its facets, an engagement's page and the list's CSV export."""
from django.shortcuts import get_object_or_404, render

from defrel.exports import applied, refused, stream_csv
from defrel.links import key_in_any_case
from meetings.filters import EngagementFilter
from meetings.models import Engagement
from meetings.resources import EngagementResource
from meetings.views.lists import export_queryset, list_context


def engagement_list(request):
    filterset = EngagementFilter(request.GET, queryset=Engagement.objects.all())
    context = list_context(request, filterset)
    return render(request, "meetings/engagement_list.html", context)


@key_in_any_case(Engagement)
def engagement_detail(request, key):
    engagement = get_object_or_404(Engagement.objects.with_links(), key=key)
    return render(request, "meetings/engagement_detail.html", {"engagement": engagement})


def engagement_export(request):
    filterset = EngagementFilter(request.GET, queryset=Engagement.objects.all())
    if not filterset.is_valid():
        return refused(filterset.errors)
    resource = EngagementResource()
    return stream_csv(resource, export_queryset(resource, filterset), "defrel-engagements.csv",
                      applied(request.GET, filterset.filters))
