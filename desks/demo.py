def load(*, small: bool, stdout=None) -> None:
    pass
