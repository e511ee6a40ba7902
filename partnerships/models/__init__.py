from .common import ReferenceCounter
from .organisations import Membership, Organisation
from .partnerships import Approval, Objective, ObjectiveMeasurement, Partnership, Party

__all__ = [
    "Approval",
    "Membership",
    "Objective",
    "ObjectiveMeasurement",
    "Organisation",
    "Partnership",
    "Party",
    "ReferenceCounter",
]
