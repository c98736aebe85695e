"""torch.utils's counterpart: `minigrad.utils.data`."""
from . import data
