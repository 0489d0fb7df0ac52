from trading.models.lots import Lot, LotStatusChange, Market, Procedure, Project
from trading.models.parties import LoginFailure, Organisation, Role, User, UserRole

__all__ = ["LoginFailure", "Lot", "LotStatusChange", "Market", "Organisation", "Procedure", "Project", "Role", "User",
           "UserRole"]
