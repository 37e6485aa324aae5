from dataclasses import dataclass


@dataclass
class Evidence:
    target_id: str
    preview_url: str = ""
    backup_gate_record_id: str = "gate-1"


def show(target_id: str, promotion_record_id=None):
    return target_id
