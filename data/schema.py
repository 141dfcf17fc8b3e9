"""The whole schema: every domain's models on one metadata, for migrations and `init --force`."""
from accounts import models as _accounts  # noqa: F401  (registers the tables)
from core.models import Base
from dams import models as _dams  # noqa: F401
from displays import models as _displays  # noqa: F401
from reporting import models as _reporting  # noqa: F401

metadata = Base.metadata
