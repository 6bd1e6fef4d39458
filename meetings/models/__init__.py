from meetings.models.agreements import Agreement, AgreementEvent, Status
from meetings.models.exercises import Exercise
from meetings.models.meetings import Meeting, Occasion, Participation

__all__ = [
    "Agreement", "AgreementEvent", "Exercise", "Meeting", "Occasion", "Participation", "Status",
]
