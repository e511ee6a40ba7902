from .common import ReferenceCounter
from .organisations import Membership, Organisation
from .partnerships import Approval, Objective, Partnership, Party

__all__ = [
    "Approval",
    "Membership",
    "Objective",
    "Organisation",
    "Partnership",
    "Party",
    "ReferenceCounter",
]
