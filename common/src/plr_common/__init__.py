"""Pure validators and speech-to-text normalisers shared by the PLR assistant's services.

Every ``check_*`` function returns a :class:`Checked` with the normalised value or a stable
error code. Nothing here logs, stores or sends a value.
"""

from .dates import check_date_of_birth
from .emails import check_email
from .names import check_name
from .postcode import check_postcode
from .result import Checked
from .spoken import spoken_digits, spoken_postcode
from .uln import check_uln, mask_uln

__all__ = [
    "Checked",
    "check_date_of_birth",
    "check_email",
    "check_name",
    "check_postcode",
    "check_uln",
    "mask_uln",
    "spoken_digits",
    "spoken_postcode",
]
