from meetings.models.agreements import STATUS_READS, Agreement, AgreementEvent, Status
from meetings.models.engagements import Engagement
from meetings.models.exercises import Exercise
from meetings.models.meetings import Meeting, Occasion, Participation
from meetings.models.releases import Release

__all__ = [
    "STATUS_READS", "Agreement", "AgreementEvent", "Engagement", "Exercise", "Meeting", "Occasion", "Participation", "Release", "Status",
]
