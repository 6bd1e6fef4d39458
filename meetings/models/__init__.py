from meetings.models.agreements import AGREEMENT_TABLE_READS, STATUS_READS, Agreement, AgreementEvent, Status
from meetings.models.engagements import Engagement
from meetings.models.exercises import Exercise
from meetings.models.meetings import Meeting, Occasion, Participation
from meetings.models.releases import Release

__all__ = [
    "AGREEMENT_TABLE_READS", "STATUS_READS", "Agreement", "AgreementEvent", "Engagement", "Exercise",
    "Meeting", "Occasion", "Participation", "Release", "Status",
]
