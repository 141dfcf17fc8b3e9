"""The whole schema: every domain's models on one metadata, for migrations and `init --force`."""
from accounts import models as _accounts  # noqa: F401  (registers the tables)
from alerts import models as _alerts  # noqa: F401
from briefings import models as _briefings  # noqa: F401
from core.models import Base
from dams import models as _dams  # noqa: F401
from displays import models as _displays  # noqa: F401
from reporting import models as _reporting  # noqa: F401
from tasks import models as _tasks  # noqa: F401

metadata = Base.metadata
