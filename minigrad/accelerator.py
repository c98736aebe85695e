"""`torch.accelerator`, as the tutorial uses it to pick a device: minigrad has none, so "cpu" is chosen."""


def is_available():
    return False


def current_accelerator(check_available=False):
    """None: there is no accelerator (torch returns None too on a machine without one)."""
    return None


def device_count():
    return 0
