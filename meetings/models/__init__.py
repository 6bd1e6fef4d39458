from meetings.models.agreements import Agreement, AgreementEvent, Status
from meetings.models.engagements import Engagement
from meetings.models.exercises import Exercise
from meetings.models.meetings import Meeting, Occasion, Participation
from meetings.models.releases import Release

__all__ = [
    "Agreement", "AgreementEvent", "Engagement", "Exercise", "Meeting", "Occasion", "Participation", "Release", "Status",
]
