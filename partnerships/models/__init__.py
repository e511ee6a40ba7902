from .commitments import Commitment, Delivery
from .common import ReferenceCounter
from .organisations import Membership, Organisation
from .partnerships import Approval, Objective, Partnership, Party

__all__ = [
    "Approval",
    "Commitment",
    "Delivery",
    "Membership",
    "Objective",
    "Organisation",
    "Partnership",
    "Party",
    "ReferenceCounter",
]
