"""The repositories over SQLAlchemy, one module per kind of record, and the unit of work that holds them."""

from storage.repositories.directory import SqlDirectoryRepository
from storage.repositories.unit_of_work import SqlUnitOfWork

__all__ = ["SqlDirectoryRepository", "SqlUnitOfWork"]
