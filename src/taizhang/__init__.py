"""taizhang: issue, collect, check and consolidate party-branch ledgers (党建工作台账)."""

__version__ = "0.1.0"
